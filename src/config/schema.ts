import cron from 'node-cron';
import { z } from 'zod';

/**
 * The configuration, validated once at start-up. Every key and default is the contract's
 * (daemon-contract.md, "Configuration"); `config/default.json` holds the same defaults so a
 * user can read them without reading code. Objects are strict: an unknown key is refused,
 * because a misspelt key silently ignored is a setting the user believes in and we do not.
 */

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

/** `provider.dhru.*`: the DHRU Fusion server's ways (dhru-fusion-api.md); read only with `protocol: "dhru"`. */
const dhruSchema = z.strictObject({
  /** `parameters` of single calls: XML (the vendor's kit) or base64 JSON (the 6.1 template); bulk calls are always base64 JSON. */
  singleEncoding: z.enum(['xml', 'json']),
  /** `auto`: bulk actions where the server has them, learnt read-only and remembered; `on`; `off`. */
  bulk: z.enum(['auto', 'on', 'off']),
  /**
   * True only when the provider's operator confirms that a repeat of an IMEI on a service is
   * refused: unknown outcomes are then resubmitted as with GSM Fusion. False: never resent;
   * settled from the order ids, or left Unknown.
   */
  refusesRepeats: z.boolean(),
});

const providerSchema = z.strictObject({
  /** Server root; calls go to `{baseUrl}/gsmfusion_api/index.php` (DHRU: `{baseUrl}/api/index.php`). */
  baseUrl: z.string().url(),
  username: z.string(),
  /** Empty means: run against the built-in simulator and place no real order. */
  apiKey: z.string(),
  /** One call's limit, headers and body included. */
  timeoutMs: positiveInt,
  /** Which API the server speaks; the built-in simulator speaks the configured one. */
  protocol: z.enum(['gsmfusion', 'dhru']),
  dhru: dhruSchema,
});

const foldersSchema = z.strictObject({
  inbox: z.string().min(1),
  processed: z.string().min(1),
  checkpoints: z.string().min(1),
});

const submissionSchema = z.strictObject({
  /** IMEIs per `placeorder` call. */
  batchSize: z.number().int().min(1).max(500),
  /** Calls in flight at most. */
  concurrency: z.number().int().min(1).max(200),
  /** Tries of one batch before its rows are Failed. */
  maxAttempts: z.number().int().min(1).max(20),
  /** First back-off; doubles each try, with jitter. */
  retryBaseMs: nonNegativeInt,
  /** Calls per minute at most, spaced evenly; 0 = no limit. */
  maxCallsPerMinute: nonNegativeInt,
  /**
   * IMEIs per call: `auto` sends `batchSize` and learns, per service, a server that answers a
   * list for only some of its IMEIs (then one per call); `batch` and `single` force either.
   */
  batching: z.enum(['auto', 'batch', 'single']),
});

const retrySchema = z.strictObject({
  /** Cron with 5 fields, or 6 with seconds first. */
  schedule: z.string().refine((value) => cron.validate(value), 'must be a cron expression of 5 or 6 fields, such as "0 * * * *"'),
  maxAgeHours: z.number().positive(),
});

const resultsSchema = z.strictObject({
  /** An order's first poll interval (and first delay when its delivery time is unknown); doubles per poll. */
  pollIntervalSeconds: z.number().positive(),
  maxAgeHours: z.number().positive(),
  /** The longest gap between two polls of one order. */
  maxPollIntervalMinutes: z.number().positive(),
});

const alertsSchema = z.strictObject({
  threshold: z.number().min(0).max(1),
  to: z.array(z.string().email()),
  from: z.string(),
  smtp: z.strictObject({
    host: z.string(),
    port: z.number().int().min(1).max(65535),
    secure: z.boolean(),
    user: z.string(),
    pass: z.string(),
  }),
  minIntervalMinutes: z.number().nonnegative(),
});

const watchSchema = z.strictObject({
  /** A file must stop changing this long before it is read. */
  stabilityMs: nonNegativeInt,
  usePolling: z.boolean(),
  /** A full rescan of the inbox this often catches events the watcher missed. */
  rescanSeconds: z.number().positive(),
});

/**
 * The dashboard and operator endpoints served by `start` (daemon-contract.md, "Dashboard and
 * operator endpoints"). Defaults: enabled, `127.0.0.1:8470`, no token, uploads allowed. Port 0
 * takes any free port (the URL is logged). An address other than loopback needs a token; that
 * rule is checked in load.ts, where both values are known.
 */
const webSchema = z.strictObject({
  enabled: z.boolean(),
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  /** Empty: no login (loopback only). Short tokens are guessable and too short to redact. */
  token: z.string().refine((value) => value === '' || value.length >= 16, 'must be empty or at least 16 characters (try: openssl rand -hex 16)'),
  upload: z.boolean(),
});

export const configSchema = z.strictObject({
  provider: providerSchema,
  folders: foldersSchema,
  defaultServiceId: z.string().regex(/^\d+$/, 'must be a numeric service id such as "1739"'),
  submission: submissionSchema,
  retry: retrySchema,
  results: resultsSchema,
  alerts: alertsSchema,
  watch: watchSchema,
  limits: z.strictObject({ maxFileBytes: positiveInt }),
  log: z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    file: z.string(),
  }),
  /** The built-in simulator, used when no API key is configured. */
  simulator: z.strictObject({ latencyMs: nonNegativeInt }),
  web: webSchema,
});

export type DaemonConfig = z.infer<typeof configSchema>;
