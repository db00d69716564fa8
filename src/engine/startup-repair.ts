import type { ResolvedConfig } from '../config/load.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { removeLeftoverTemporaries } from '../watch/processed-files.js';
import { settleUnfinishedReads } from './intake-file.js';
import { batchSizeFor } from './protocol-setup.js';

/**
 * Repairs what an unclean stop left, before anything new is taken (design.md, "Durability"):
 * temporary files in processed/, calls that were in flight (their rows become unknown) and
 * reads cut half-way (resumed, finished in part, or dropped when nothing was sent). Returns
 * the files that wait to be reported.
 */
export async function repairAfterUncleanStop(store: Store, config: ResolvedConfig, logger: Logger): Promise<number[]> {
  const leftovers = await removeLeftoverTemporaries(config.paths.processed);
  if (leftovers > 0) logger.info({ files: leftovers }, 'removed temporary files an unclean stop left in processed/');
  const interrupted = store.batches.recoverInterrupted(new Date().toISOString());
  const reads = await settleUnfinishedReads(store, config.paths.inbox, batchSizeFor(config));
  if (reads.discarded + reads.finishedInPart + reads.toResume > 0 || interrupted.attempts > 0) {
    logger.warn(
      { ...reads, interruptedCalls: interrupted.attempts, unknownRows: interrupted.rows },
      'recovered after an unclean stop: rows of interrupted calls will be resubmitted to confirm',
    );
  }
  return [...store.filesInState('submitting'), ...store.filesInState('reporting')].map((file) => file.id);
}
