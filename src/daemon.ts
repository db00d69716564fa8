import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedConfig } from './config/load.js';
import { AlertCenter, DatabaseHealth, heartbeatProbe } from './alerts/index.js';
import { ProviderAuthError } from './errors.js';
import { DaemonEvents } from './events/daemon-events.js';
import { FileFinisher } from './engine/finish-file.js';
import { IntakeQueue } from './engine/intake-queue.js';
import { OrderRecovery } from './engine/order-recovery.js';
import { CallBudget } from './engine/call-budget.js';
import { BracketingCalls } from './engine/bracketing-calls.js';
import { CreditGate } from './engine/credit-gate.js';
import { batchSizeFor, CapabilityMemory, learnBulkSupport } from './engine/protocol-setup.js';
import { SubmissionGuard } from './engine/send-guard.js';
import { ProgressDisplay } from './engine/progress-display.js';
import { learntConcurrency, refreshCatalogue, rememberConcurrency } from './engine/provider-memory.js';
import { connectProvider } from './provider-connection.js';
import { repairAfterUncleanStop } from './engine/startup-repair.js';
import { reportReactions, submissionReactions } from './daemon-reactions.js';
import { ResultPoller } from './engine/result-poller.js';
import { RetryJob } from './engine/retry-job.js';
import { Submitter } from './engine/submitter.js';
import type { Logger } from './log.js';
import { WorkerRowReader } from './intake/index.js';
import { formatSummaryLine } from './report/summary-line.js';
import type { ProviderClient } from './provider/types.js';
import type { Simulator } from './simulator/index.js';
import { openDatabase } from './store/db.js';
import { acquireFolderLock, type FolderLock } from './store/lock.js';
import { Store } from './store/store.js';
import { InboxWatcher, stableInboxEntries } from './watch/inbox-watcher.js';
import { startDashboard } from './web/start-dashboard.js';
import type { WebHost } from './web/web-host.js';

export interface DaemonOptions {
  /** `log`: a progress line per file every few seconds; `terminal`: live lines (`run-once` on a TTY). */
  progress: 'log' | 'terminal';
  /** Where the daemon's events go (file progress, calls); default: a new stream of its own. */
  events?: DaemonEvents;
}

const PROGRESS_LOG_MS = 5_000;
const REPORT_REFRESH_MS = 1000;

/**
 * The running daemon: one store, one provider client, the submitter, the report writer and (for
 * `start`) the inbox watcher. `open` repairs whatever a crash left; `close` shuts everything
 * in order and is safe to call twice.
 */
export class Daemon {
  private readonly submitter: Submitter;
  private readonly finisher: FileFinisher;
  private readonly retryJob: RetryJob;
  private readonly poller: ResultPoller;
  /** Every call to the provider (placing, results, searches, catalogue) goes through this one budget. */
  private readonly budget: CallBudget;
  /** Looks up the order ids of calls whose reply was lost but whose orders the provider holds. */
  private readonly recovery: OrderRecovery;
  private readonly alerts: AlertCenter;
  /** Mails, without the database, when the database refuses writes (its alerts queue there). */
  private readonly databaseHealth: DatabaseHealth;
  private watcher: InboxWatcher | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private catalogueTimer: NodeJS.Timeout | undefined;
  /** Finished files whose rows were sent again (retry): their next report is judged for alerts. */
  private readonly resubmitted = new Set<number>();
  private readonly intake: IntakeQueue;
  /** Reads input files in a thread of its own, started with the daemon. */
  private readonly reader = new WorkerRowReader();
  private readonly progress: ProgressDisplay;
  /** What happens in the daemon, for the dashboard and metrics (design.md, "Events out of the daemon"). */
  readonly events: DaemonEvents;
  /** The dashboard, served by `start` (web.enabled). */
  private web: WebHost | undefined;
  private closing: Promise<void> | undefined;
  /** The balance against each file's cost (providers that report one). */
  private readonly credit: CreditGate;
  /** The order of calls that lets a lost one be settled from the order ids (servers that may charge a repeat). */
  private readonly bracketing: BracketingCalls;
  /** What the client learns of its server (DHRU bulk support), kept and applied. */
  private readonly capabilities: CapabilityMemory;

  private constructor(
    readonly config: ResolvedConfig,
    readonly store: Store,
    private readonly client: ProviderClient,
    private readonly simulator: Simulator | undefined,
    private readonly lock: FolderLock,
    private readonly logger: Logger,
    options: DaemonOptions,
  ) {
    this.events = options.events ?? new DaemonEvents();
    // The line users read per finished file follows the event, as the dashboard does.
    this.events.on('file-reported', ({ summary, firstTime }) => {
      if (firstTime) this.progress.announce(formatSummaryLine(summary), { ...summary });
    });
    this.alerts = new AlertCenter(store.alerts, { ...config.alerts, secrets: [config.provider.apiKey] }, logger);
    this.databaseHealth = new DatabaseHealth(heartbeatProbe(store), { ...config.alerts, secrets: [config.provider.apiKey] }, logger);
    this.progress = new ProgressDisplay(
      store,
      { mode: options.progress, intervalMs: options.progress === 'terminal' ? 500 : PROGRESS_LOG_MS },
      logger,
    );
    this.intake = new IntakeQueue(
      store,
      {
        batchSize: batchSizeFor(config),
        defaultServiceId: config.defaultServiceId,
        maxFileBytes: config.limits.maxFileBytes,
        reader: this.reader,
      },
      logger,
      (outcome) => {
        this.submitter.wake();
        void this.finisher.finish(outcome.fileId);
        this.finisher.extendDraft(outcome.fileId);
        this.events.emit('file-changed', { fileIds: [outcome.fileId], reason: 'intake' });
      },
      () => this.submitter.wake(),
    );
    this.finisher = new FileFinisher(
      store,
      { inboxDir: config.paths.inbox, processedDir: config.paths.processed, simulated: config.simulated, workbookThread: true },
      logger,
      reportReactions({ events: this.events, alerts: this.alerts, store, resubmitted: this.resubmitted }),
    );
    this.retryJob = new RetryJob(
      store,
      { schedule: config.retry.schedule, maxAgeHours: config.retry.maxAgeHours, batchSize: batchSizeFor(config) },
      logger,
      { onRequeued: () => this.submitter.wake(), onScheduledRun: () => void this.credit.recheck() },
    );
    this.budget = new CallBudget({
      maxConcurrency: config.submission.concurrency,
      maxCallsPerMinute: config.submission.maxCallsPerMinute,
      learntConcurrency: learntConcurrency(store),
      onConcurrencyLearnt: (concurrency) => rememberConcurrency(store, logger, concurrency),
    });
    // Named in the first warning of an outage and in its alert: "the provider" alone says nothing.
    const provider = simulator?.url ?? config.provider.baseUrl;
    this.capabilities = new CapabilityMemory(client, store, config);
    this.credit = new CreditGate(
      store,
      client,
      this.budget,
      { enabled: () => this.capabilities.current.hasBalance, wake: () => this.submitter.wake() },
      {
        onShort: (message) => this.alerts.providerShortOfCredit(message),
        onCovered: () => this.alerts.creditCovered(),
        onAuthFailed: (message) => this.submitter.halt(message),
      },
      logger,
    );
    this.bracketing = new BracketingCalls(store, {
      active: () => !store.settling.resendsUnknown,
      filesBeingRead: () => this.intake.busy,
      wake: () => this.submitter.wake(),
    });
    this.submitter = new Submitter(
      store,
      client,
      {
        ...config.submission,
        batchSize: batchSizeFor(config),
        nextRetryAt: () => this.retryJob.nextRunAt(),
        filesBeingRead: () => this.intake.busy,
      },
      logger.child({ provider }),
      submissionReactions({
        events: this.events,
        store,
        logger,
        alerts: this.alerts,
        databaseHealth: this.databaseHealth,
        provider,
        finisher: this.finisher,
        recovery: () => this.recovery,
        capabilities: this.capabilities,
        credit: this.credit,
        resubmitted: this.resubmitted,
      }),
      this.budget,
      new SubmissionGuard(this.credit, this.bracketing),
    );
    const { retryBaseMs, maxAttempts, concurrency } = config.submission;
    const pollerOptions = {
      ...config.results,
      retryBaseMs,
      maxAttempts,
      concurrency: Math.min(4, concurrency),
      idsPerCall: () => this.capabilities.check().idsPerResultCall,
    };
    this.poller = new ResultPoller(store, client, pollerOptions, logger, {
      // The store marked the files stale; re-render now rather than on the next refresh tick.
      onFilesChanged: (fileIds) => {
        this.events.emit('file-changed', { fileIds, reason: 'results' });
        this.refreshStaleReports();
      },
      onAuthFailed: (message) => this.alerts.providerRefusedCredentials(message),
    }, this.budget);
    this.recovery = new OrderRecovery(
      store,
      client,
      { resultsNameImei: () => this.capabilities.check().resultsNameImei, batchSize: batchSizeFor(config) },
      logger,
      {
        onFilesChanged: () => this.refreshStaleReports(),
        onRequeued: () => this.submitter.wake(),
        // Files waiting for credit will still be sent: their orders may settle rows yet.
        placingIdle: () => this.submitter.isIdle() && !this.intake.busy && !this.credit.holdsAny,
      },
      this.budget,
    );
  }

  /**
   * What is learnt of the provider before the first order, read-only: whether a DHRU server has
   * bulk calls (remembered per account), and the balance, which also checks the credentials:
   * refused, nothing is ordered and an alert says so.
   */
  private async learnProvider(): Promise<void> {
    try {
      await learnBulkSupport(this.client, this.store, this.budget, this.logger);
      this.capabilities.check();
    } catch (error) {
      if (error instanceof ProviderAuthError) this.submitter.halt(error.message);
    }
    await this.credit.start();
  }

  /** Takes the checkpoints lock, opens the store, repairs what a crash left, starts submitting. */
  static async open(config: ResolvedConfig, logger: Logger, options: DaemonOptions = { progress: 'log' }): Promise<Daemon> {
    for (const dir of [config.paths.inbox, config.paths.processed, config.paths.checkpoints]) {
      mkdirSync(dir, { recursive: true });
    }
    const lock = acquireFolderLock(config.paths.checkpoints);
    let simulator: Simulator | undefined;
    try {
      const store = new Store(openDatabase(join(config.paths.checkpoints, 'imei-daemon.sqlite')));
      const connection = await connectProvider(config, store, logger, options.events);
      simulator = connection.simulator;
      const daemon = new Daemon(config, store, connection.client, simulator, lock, logger, { ...options, events: connection.events });
      daemon.reader.start();
      await daemon.recover();
      await daemon.refreshCatalogue();
      await daemon.learnProvider();
      daemon.retryJob.start();
      daemon.submitter.start();
      daemon.poller.start();
      daemon.recovery.start();
      daemon.progress.start();
      return daemon;
    } catch (error) {
      await simulator?.close();
      lock.release();
      throw error;
    }
  }

  /** `start`: watch the inbox until `close`. */
  async watch(): Promise<void> {
    const { watch, paths } = this.config;
    this.watcher = new InboxWatcher(
      { inbox: paths.inbox, stabilityMs: watch.stabilityMs, usePolling: watch.usePolling, rescanSeconds: watch.rescanSeconds },
      this.logger,
      (entry) => this.intake.enqueue(entry),
      (relativePath) => this.intake.isHeld(relativePath),
    );
    this.alerts.start();
    this.databaseHealth.start();
    await this.watcher.start();
    this.web = startDashboard(this.config, {
      events: this.events,
      logger: this.logger,
      store: this.store,
      health: () => ({
        databaseWritable: this.databaseHealth.writable,
        watching: this.watcher !== undefined,
        submissionHalted: this.submitter.isHalted,
      }),
    });
    this.refreshTimer = setInterval(() => this.refreshReports(), REPORT_REFRESH_MS);
    // The catalogue (SERVICE and CREDITS) is refreshed daily; checking hourly is cheap.
    this.catalogueTimer = setInterval(() => void this.refreshCatalogue(), 3_600_000);
    this.catalogueTimer.unref();
  }

  /** `run-once`: read every stable file in the inbox now, then wait until all are reported. */
  async runOnce(): Promise<void> {
    for (const entry of await stableInboxEntries(this.config.paths.inbox, this.config.watch.stabilityMs)) {
      this.intake.enqueue(entry);
    }
    await this.intake.drain();
    await this.settled(true);
    await this.alerts.flushNow();
    if (this.submitter.isHalted) {
      throw new Error('the provider refused the credentials; nothing more was sent: check provider.username and provider.apiKey');
    }
    if (this.credit.holdsAny) {
      throw new Error('the provider balance does not cover every file; their rows wait, not ordered: top up the account and run again');
    }
    const unreadable = this.intake.unreadableFiles();
    if (unreadable.length > 0) {
      throw new Error(`could not read ${unreadable.map((u) => u.file).join(', ')}: ${unreadable[0]?.error}; left in the inbox`);
    }
  }

  /**
   * Resolves once nothing is planned, in flight or waiting to be reported. With `failFast`
   * (`run-once`, `retry`), a file whose outputs cannot be written ends the wait with an error
   * instead of being retried in the background.
   */
  async settled(failFast = false): Promise<void> {
    for (;;) {
      this.refreshReports(true);
      await this.finisher.drain();
      const unreported =
        this.store.filesInState('submitting').filter((f) => this.store.isFileSettled(f.id)).length +
        this.store.filesInState('reporting').length;
      const failed = this.finisher.failedFiles();
      if (failFast && failed.length > 0) {
        const names = failed.map((f) => this.store.getFile(f.fileId)?.inboxPath ?? String(f.fileId));
        throw new Error(`could not write the report of ${names.join(', ')}: ${failed[0]?.error}; left in the inbox`);
      }
      // Rows whose order id is being looked up are part of submission: their search is bounded.
      // Rows of lost calls being settled from the order ids too, while their search can go on (a
      // file waiting for credit may hold the order that settles them: a later run finishes them).
      const settling = this.store.settling.settlingRows() > 0 && !this.recovery.isStalled && !this.credit.holdsAny;
      const idle =
        this.submitter.isIdle() && unreported === 0 && !this.intake.busy && this.store.recovery.recoveringRows() === 0 && !settling;
      if (idle && this.store.filesNeedingReport().length === 0) return;
      for (const file of [...this.store.filesInState('submitting'), ...this.store.filesInState('reporting')]) {
        if (this.store.isFileSettled(file.id)) void this.finisher.finish(file.id);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops taking work, lets calls in flight finish and be recorded, closes the store. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.closeInOrder();
    return this.closing;
  }

  private async closeInOrder(): Promise<void> {
    // The page first: it only reads, and open pages must not hold the stop up.
    await this.web?.close();
    this.progress.stop();
    await this.watcher?.close();
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    if (this.catalogueTimer) clearInterval(this.catalogueTimer);
    await this.retryJob.stop();
    // Intake first: a read in progress stops at its next chunk instead of planning batches
    // that the stopped submitter would never send (it resumes at the next start).
    await this.intake.close();
    await this.reader.close();
    await this.submitter.stop();
    this.bracketing.close();
    await this.recovery.stop();
    await this.poller.stop();
    this.budget.close();
    this.finisher.close();
    await this.finisher.drain();
    await this.databaseHealth.close();
    await this.alerts.close();
    await this.client.close();
    await this.simulator?.close();
    this.store.close();
    this.lock.release();
  }

  private async recover(): Promise<void> {
    for (const fileId of await repairAfterUncleanStop(this.store, this.config, this.logger)) void this.finisher.finish(fileId);
  }

  private async refreshCatalogue(): Promise<void> {
    if (await refreshCatalogue(this.store, this.client, this.budget, this.logger)) this.credit.pricesChanged();
  }

  /** `retry`: send every waiting Failed row now, then wait until they are settled and reported. */
  async retryNow(): Promise<number> {
    const outcome = await this.retryJob.runNow(true);
    await this.settled(true);
    return outcome.requeued;
  }

  /** Picks up a `retry` asked for from the command line, and re-renders stale reports. */
  private refreshReports(now = false): void {
    this.retryJob.checkForRequest();
    this.refreshStaleReports(now);
  }

  /** Re-renders reports whose rows changed; `now` skips the throttle (run-once and retry wait for them). */
  private refreshStaleReports(now = false): void {
    for (const fileId of this.store.filesNeedingReport()) {
      void (now ? this.finisher.finish(fileId) : this.finisher.refresh(fileId));
    }
  }
}
