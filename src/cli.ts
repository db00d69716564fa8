#!/usr/bin/env node
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { loadConfig, type ResolvedConfig } from './config/load.js';
import { Daemon } from './daemon.js';
import { RETRY_REQUEST_KEY } from './engine/retry-job.js';
import { openDatabase } from './store/db.js';
import { Store } from './store/store.js';
import { ConfigError, DaemonError, LockHeldError, UsageError, describeError } from './errors.js';
import { createLogger, redactSecrets, type Logger } from './log.js';
import { printHistory } from './commands/history.js';
import { printServices } from './commands/services.js';
import { printStatus } from './commands/status.js';
import { tolerateClosedStdout } from './commands/read-only.js';
import { packageVersion } from './commands/version.js';

/** Exit codes of the contract. */
const EXIT = { ok: 0, failure: 1, usage: 2, locked: 3 } as const;

interface GlobalOptions {
  config?: string;
}

function configFrom(command: Command): ResolvedConfig {
  const options = command.optsWithGlobals<GlobalOptions>();
  return loadConfig(options.config ? { configFile: options.config } : {});
}

function secretsOf(config: ResolvedConfig): string[] {
  return [config.provider.apiKey, config.alerts.smtp.pass, config.web.token];
}

/** `quietStdout`: a live progress display owns the terminal; stdout shows warnings only. */
async function daemonLogger(config: ResolvedConfig, quietStdout = false): Promise<Logger> {
  return createLogger({
    level: config.log.level,
    file: config.paths.logFile,
    secrets: secretsOf(config),
    stdout: true,
    ...(quietStdout ? { stdoutLevel: 'warn' } : {}),
  });
}

/** Runs the daemon until SIGTERM or SIGINT, then stops gracefully (contract, "Signals"). */
async function runDaemon(config: ResolvedConfig, mode: 'start' | 'run-once'): Promise<void> {
  const live = mode === 'run-once' && process.stdout.isTTY === true;
  const logger = await daemonLogger(config, live);
  const daemon = await Daemon.open(config, logger, { progress: live ? 'terminal' : 'log' });
  let stopped = false;
  const stop = (signal: string): void => {
    if (stopped) return;
    stopped = true;
    logger.info({ signal }, 'stopping: no new calls; waiting for calls in flight');
    daemon
      .close()
      .then(() => {
        logger.info('stopped');
        process.exit(EXIT.ok);
      })
      .catch((error: unknown) => {
        process.stderr.write(`imei-daemon: stopping failed: ${describeError(error)}\n`);
        process.exit(EXIT.failure);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (mode === 'start') {
    await daemon.watch();
    logger.info({ inbox: config.paths.inbox, simulated: config.simulated }, 'watching the inbox');
    await new Promise<never>(() => undefined);
  }
  try {
    await daemon.runOnce();
  } finally {
    await daemon.close();
  }
}

/**
 * `retry`: with no daemon running, run the retry here and wait for its reports; with one
 * running (it holds the lock), leave it a request in the store, which it picks up within a second.
 */
async function runRetry(config: ResolvedConfig): Promise<void> {
  const logger = await daemonLogger(config);
  let daemon: Daemon;
  try {
    daemon = await Daemon.open(config, logger);
  } catch (error) {
    if (!(error instanceof LockHeldError)) throw error;
    requestRetry(config);
    process.stdout.write('retry: asked the running daemon to retry the failed rows now\n');
    return;
  }
  try {
    const requeued = await daemon.retryNow();
    process.stdout.write(`retry: ${requeued} rows sent again\n`);
  } finally {
    await daemon.close();
  }
}

function requestRetry(config: ResolvedConfig): void {
  const store = new Store(openDatabase(join(config.paths.checkpoints, 'imei-daemon.sqlite')));
  try {
    store.setMeta(RETRY_REQUEST_KEY, new Date().toISOString());
  } finally {
    store.close();
  }
}

export function buildProgram(): Command {
  const program = new Command('imei-daemon')
    .description('Orders IMEI checks and unlocks in batches from CSV files dropped into an inbox.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--config <file>', 'a JSON file merged over config/default.json (or IMEI_DAEMON_CONFIG)')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });

  program
    .command('start')
    .description('watch the inbox, submit, poll results, retry on schedule, alert (foreground)')
    .action(async (_options, command: Command) => runDaemon(configFrom(command), 'start'));
  program
    .command('run-once')
    .description('process every file now in the inbox, write their reports, exit')
    .action(async (_options, command: Command) => runDaemon(configFrom(command), 'run-once'));
  program
    .command('status')
    .description('files in progress, orders by state, failed rows waiting for retry, last alert')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }, command: Command) => printStatus(configFrom(command), options.json === true));
  program
    .command('services')
    .description("the provider's catalogue: id, title, price, delivery time")
    .option('--search <word>', 'only services whose title or category contains the word')
    .option('--json', 'machine-readable output')
    .action(async (options: { search?: string; json?: boolean }, command: Command) =>
      printServices(configFrom(command), options.search, options.json === true),
    );
  program
    .command('history')
    .description('every order the daemon knows for an IMEI')
    .argument('<imei>', 'the IMEI, 15 digits')
    .option('--json', 'machine-readable output')
    .action((imei: string, options: { json?: boolean }, command: Command) =>
      printHistory(configFrom(command), imei, options.json === true),
    );
  program
    .command('retry')
    .description('run the failed-row retry now, as the schedule would')
    .action(async (_options, command: Command) => runRetry(configFrom(command)));
  return program;
}

function exitCodeFor(error: unknown): number {
  if (error instanceof ConfigError || error instanceof UsageError) return EXIT.usage;
  if (error instanceof LockHeldError) return EXIT.locked;
  return EXIT.failure;
}

/** One plain line for the user; a stack trace only for what is truly our bug. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    if (argv.length <= 2) throw new UsageError('no command given: try start, run-once, status, services, history or retry');
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version asked for (`help status` included) end with exit code 0 in commander's own words.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return EXIT.ok;
      process.stderr.write(`imei-daemon: ${error.message.replace(/^error: /, '')}\n`);
      return EXIT.usage;
    }
    const code = exitCodeFor(error);
    const message = describeError(error);
    const safe = redactSecrets(message, [
      process.env.GSMFUSION_API_KEY ?? '',
      process.env.SMTP_PASSWORD ?? '',
      process.env.IMEI_DAEMON_WEB_TOKEN ?? '',
    ]);
    process.stderr.write(`imei-daemon: ${safe}\n`);
    if (!(error instanceof DaemonError) && process.env.IMEI_DAEMON_DEBUG) console.error(error);
    return code;
  }
}

tolerateClosedStdout();
const exitCode = await main(process.argv);
process.exitCode = exitCode;
