/**
 * Append-only schema migrations. `PRAGMA user_version` records how many have run; a new
 * change is a new entry at the end, never an edit of an old one, so every database in the
 * field reaches the same schema by the same path.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    inbox_path TEXT NOT NULL,          -- relative to the inbox, '/'-separated: '269/orders.csv'
    sha256 TEXT,
    size INTEGER,
    folder_service_id TEXT,            -- from an inbox subfolder named after a service id
    state TEXT NOT NULL,
    error TEXT,
    repeat_of INTEGER REFERENCES files(id),
    processed_stem TEXT,               -- chosen before anything is written: 'sub/orders-2'
    rows_total INTEGER NOT NULL DEFAULT 0,
    api_calls INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    report_dirty INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX files_by_state ON files(state);
  CREATE INDEX files_by_hash ON files(sha256);

  CREATE TABLE rows (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files(id),
    line INTEGER NOT NULL,
    raw_imei TEXT NOT NULL,
    imei TEXT,                         -- normalised; NULL when invalid
    service_id TEXT NOT NULL,
    state TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    batch_id INTEGER REFERENCES batches(id),
    order_id TEXT,
    duplicate_of INTEGER REFERENCES rows(id),
    last_error TEXT,
    unknown_since TEXT,                -- when a call whose reply never arrived carried this row
    next_attempt_at TEXT,              -- failed or unknown: when the retry job may resend it
    updated_at TEXT NOT NULL
  );
  CREATE INDEX rows_by_file ON rows(file_id, state);
  CREATE INDEX rows_by_imei ON rows(imei, service_id);
  CREATE INDEX rows_by_batch ON rows(batch_id);
  CREATE INDEX rows_by_retry ON rows(state, next_attempt_at);

  CREATE TABLE batches (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files(id),
    service_id TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX batches_by_file ON batches(file_id, state);
  CREATE INDEX batches_by_state ON batches(state, id);

  CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batches(id),
    imei_count INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT,                      -- NULL while the call is in flight
    error TEXT
  );
  CREATE INDEX attempts_in_flight ON attempts(outcome) WHERE outcome IS NULL;

  CREATE TABLE orders (
    order_id TEXT PRIMARY KEY,
    imei TEXT NOT NULL,
    service_id TEXT NOT NULL,
    status TEXT NOT NULL,
    code TEXT NOT NULL DEFAULT '',
    requested_at TEXT,
    placed_at TEXT NOT NULL,
    polled_at TEXT,
    final INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT ''
  );
  CREATE INDEX orders_open ON orders(final, polled_at);
  CREATE INDEX orders_by_imei ON orders(imei);

  CREATE TABLE services (
    id TEXT PRIMARY KEY,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    price TEXT NOT NULL,
    time_taken TEXT NOT NULL,
    must_read TEXT NOT NULL,
    fetched_at TEXT NOT NULL
  );

  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  `
  -- One row per mail, created when its first delivery attempt begins; its alerts point at it.
  CREATE TABLE alert_mails (
    id INTEGER PRIMARY KEY,
    delivery TEXT NOT NULL,            -- 'smtp', or 'log' (no recipients or no SMTP host)
    subject TEXT NOT NULL DEFAULT '',
    recipients TEXT NOT NULL DEFAULT '',
    message_id TEXT,                   -- ours, set before sending: a resend after a crash reuses it
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TEXT,
    last_error TEXT,
    in_flight INTEGER NOT NULL DEFAULT 0, -- an attempt began and has no recorded outcome
    in_doubt INTEGER NOT NULL DEFAULT 0,  -- a crash cut an attempt off: resent unchanged, never extended
    sent_at TEXT
  );
  CREATE INDEX alert_mails_unsent ON alert_mails(id) WHERE sent_at IS NULL;

  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,                -- 'low-success', 'recovered', 'credentials', 'unreachable'
    cause TEXT,                        -- a low-success alert folded into a standing provider alert
    file_facts TEXT,                   -- JSON: file, rows, accepted, failed, success rate, top errors
    message TEXT NOT NULL DEFAULT '',  -- the provider's words (secrets scrubbed)
    threshold REAL NOT NULL,
    raised_at TEXT NOT NULL,
    mail_id INTEGER REFERENCES alert_mails(id) -- NULL while queued
  );
  CREATE INDEX alerts_by_mail ON alerts(mail_id);

  -- Conditions raised and not yet cleared: an alert is raised once while its condition stands.
  CREATE TABLE alert_conditions (
    kind TEXT PRIMARY KEY,             -- 'low-success', 'credentials', 'unreachable'
    message TEXT NOT NULL,
    since TEXT NOT NULL
  );
  `,
  // 3: every row state change also rewrote these index entries; only the rows they serve need them.
  `
  DROP INDEX rows_by_retry;
  CREATE INDEX rows_waiting_for_retry ON rows(state, next_attempt_at) WHERE next_attempt_at IS NOT NULL;
  DROP INDEX orders_open;
  CREATE INDEX orders_open ON orders(final) WHERE final = 0;
  CREATE INDEX rows_by_order ON rows(order_id) WHERE order_id IS NOT NULL;
  `,
  // 4: rows arrive without a batch; indexing their NULLs cost every insert and every planning
  // update a second index write, and slowed the lookups of a batch's rows.
  `
  DROP INDEX rows_by_batch;
  CREATE INDEX rows_by_batch ON rows(batch_id) WHERE batch_id IS NOT NULL;
  `,
  // 5: deleting a half-read file's rows and batches (a read dropped at start) made SQLite check
  // every foreign key pointing at them by scanning rows and attempts whole: 85 s for 500 rows
  // among 2 million. These indexes serve those checks.
  `
  CREATE INDEX rows_by_duplicate_of ON rows(duplicate_of) WHERE duplicate_of IS NOT NULL;
  CREATE INDEX attempts_by_batch ON attempts(batch_id);
  `,
  // 6: no query reads orders by IMEI (history and repeats go through rows_by_imei), yet every
  // order placed paid a write into this index at a random page: 20,000 orders in 200 commits
  // took 250 ms with it and 130 ms without.
  `DROP INDEX orders_by_imei;`,
  // 7: rows_by_order served the poller's lookup of the files showing an order, which has gone
  // through rows_by_imei since; every row ordered still paid an insert into it.
  `DROP INDEX rows_by_order;`,
  // 8: changes to a file's rows made outside its submission (results polled, rows requeued by
  // the retry job). A report drafted while the file is still being sent is only kept if none
  // happened meanwhile; report_dirty cannot tell, every reply counts there too.
  `ALTER TABLE files ADD COLUMN outside_changes INTEGER NOT NULL DEFAULT 0;`,
  // 9: provider accounts. An order id means something only together with the account that
  // issued it: keyed by order id alone, a second account's (or a restarted simulator's) order
  // was silently tied to the first one's row. What was stored before belongs to account 1,
  // 'unclaimed', which the first account the daemon opens after the upgrade takes over, so a
  // deployment that upgrades keeps following its open orders. Also: the highest order id known
  // before each call (its lost orders lie above it), services a server orders one IMEI at a time,
  // and orders a recovery scan found before any row claimed them.
  `
  CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,          -- protocol, server and user name: never the API key
    label TEXT NOT NULL,               -- for people: 'hammerfusion.com (user)', 'built-in simulator'
    max_order_id INTEGER NOT NULL DEFAULT 0, -- highest numeric order id this account gave us
    scanned_to INTEGER NOT NULL DEFAULT 0,   -- recovery: every id up to here was asked about once
    created_at TEXT NOT NULL
  );
  INSERT INTO accounts (id, key, label, created_at)
  VALUES (1, 'unclaimed', 'orders placed before accounts were recorded', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

  CREATE TABLE orders_by_account (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    order_id TEXT NOT NULL,
    imei TEXT NOT NULL,
    service_id TEXT NOT NULL,
    status TEXT NOT NULL,
    code TEXT NOT NULL DEFAULT '',
    requested_at TEXT,
    placed_at TEXT NOT NULL,
    polled_at TEXT,
    final INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    UNIQUE (account_id, order_id)
  );
  INSERT INTO orders_by_account (rowid, account_id, order_id, imei, service_id, status, code, requested_at, placed_at,
                                 polled_at, final, note)
  SELECT rowid, 1, order_id, imei, service_id, status, code, requested_at, placed_at, polled_at, final, note FROM orders;
  DROP TABLE orders;
  ALTER TABLE orders_by_account RENAME TO orders;
  CREATE INDEX orders_open ON orders(final) WHERE final = 0;
  UPDATE accounts SET max_order_id = COALESCE(
    (SELECT MAX(CAST(order_id AS INTEGER)) FROM orders WHERE order_id GLOB '[0-9]*' AND order_id NOT GLOB '*[^0-9]*'), 0)
   WHERE id = 1;

  ALTER TABLE files ADD COLUMN account_id INTEGER REFERENCES accounts(id);
  UPDATE files SET account_id = 1;
  ALTER TABLE rows ADD COLUMN account_id INTEGER REFERENCES accounts(id); -- set when the row is first sent
  UPDATE rows SET account_id = 1 WHERE state IN ('ordered', 'unknown', 'unconfirmed', 'sending');
  ALTER TABLE rows ADD COLUMN id_floor INTEGER;       -- highest order id known before the call that lost it
  ALTER TABLE rows ADD COLUMN recover_until TEXT;     -- recovering: when the search for its order id ends
  CREATE INDEX rows_resolving ON rows(account_id, state) WHERE state IN ('unknown', 'recovering');
  ALTER TABLE attempts ADD COLUMN account_id INTEGER REFERENCES accounts(id);
  ALTER TABLE attempts ADD COLUMN floor_order_id INTEGER;

  CREATE TABLE service_modes (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    service_id TEXT NOT NULL,
    imeis_per_call INTEGER NOT NULL,   -- 1: the server answered a list for only some of its IMEIs
    reason TEXT NOT NULL,
    since TEXT NOT NULL,
    PRIMARY KEY (account_id, service_id)
  );

  CREATE TABLE found_orders (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    order_id TEXT NOT NULL,
    imei TEXT NOT NULL,
    package_title TEXT NOT NULL,
    status TEXT NOT NULL,
    code TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    found_at TEXT NOT NULL,
    PRIMARY KEY (account_id, order_id)
  );
  CREATE INDEX found_orders_by_imei ON found_orders(account_id, imei);
  `,
  // 10: each open order has its own next poll time (issue 15): first when its result can be
  // expected from the service's delivery time, then backing off, so a round asks only the
  // orders that are due instead of every open order every interval. NULL: not scheduled yet.
  `
  ALTER TABLE orders ADD COLUMN next_poll_at TEXT;
  ALTER TABLE orders ADD COLUMN polls INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX orders_due ON orders(account_id, next_poll_at) WHERE final = 0;
  `,
  // 11: what a report keeps of its input besides the IMEI (issue 14): the input's other columns
  // (customer, model...), named once per file and kept per row, so the report can show them
  // after its own; and files dropped in inbox/recheck/, which are ordered again on purpose.
  `
  ALTER TABLE files ADD COLUMN input_columns TEXT;  -- JSON array of names; NULL when the input has none
  ALTER TABLE files ADD COLUMN recheck INTEGER NOT NULL DEFAULT 0; -- 1: earlier orders do not make its rows duplicates
  ALTER TABLE rows ADD COLUMN input_cells TEXT;     -- JSON array lined up with files.input_columns; NULL when all empty
  `,
  // 12: the IMEI look-up (`history`, the dashboard) also finds invalid rows by the text as typed,
  // which scanned every row: 70 ms at a million rows, for every look-up. Only invalid rows are
  // indexed, so the daemon's inserts of valid rows pay nothing for it.
  `CREATE INDEX rows_invalid_by_raw_imei ON rows(raw_imei) WHERE state = 'invalid';`,
  // 13: servers that may order and charge a repeat (DHRU, issue 19). There an unknown outcome is
  // never resent but settled from the order ids, which ascend: the orders of a lost call lie
  // above the highest id known before it (`id_floor`) and below every id issued to a call begun
  // once it was certainly over (`call_over_at`); `id_ceiling` is the lowest such id known. And
  // what a DHRU catalogue says beyond GSM Fusion's fields: the service's type, and why an order
  // of one IMEI cannot be placed for it (NULL: it can), so such rows are refused before any call.
  `
  ALTER TABLE rows ADD COLUMN call_over_at TEXT;
  ALTER TABLE rows ADD COLUMN id_ceiling INTEGER;
  ALTER TABLE services ADD COLUMN service_type TEXT;
  ALTER TABLE services ADD COLUMN not_orderable TEXT;
  `,
];
