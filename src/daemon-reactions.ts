/**
 * What each event of submission means to the rest of the daemon: reports, alerts, the live
 * event stream, the order-id search and the credit gate. Kept apart from the composition in
 * daemon.ts so the wiring of parts and their reactions can each be read whole.
 */
import type { AlertCenter, DatabaseHealth } from './alerts/index.js';
import type { CreditGate } from './engine/credit-gate.js';
import type { FileFinisher, FinishEvents } from './engine/finish-file.js';
import type { OrderRecovery } from './engine/order-recovery.js';
import type { CapabilityMemory } from './engine/protocol-setup.js';
import type { SubmitterEvents } from './engine/submitter.js';
import type { DaemonEvents } from './events/daemon-events.js';
import type { Logger } from './log.js';
import type { Store } from './store/store.js';

export interface SubmissionReactionParts {
  events: DaemonEvents;
  store: Store;
  logger: Logger;
  alerts: AlertCenter;
  databaseHealth: DatabaseHealth;
  /** The provider's address, named in alerts: "the provider" alone says nothing. */
  provider: string;
  finisher: FileFinisher;
  /** Made after the submitter: read when an event comes. */
  recovery: () => OrderRecovery;
  capabilities: CapabilityMemory;
  credit: CreditGate;
  /** Finished files whose rows were sent again: their next report is judged for alerts. */
  resubmitted: Set<number>;
}

export function submissionReactions(parts: SubmissionReactionParts): SubmitterEvents {
  return {
        onFileSettled: (fileId) => {
          parts.events.emit('file-changed', { fileIds: [fileId], reason: 'settled' });
          if (parts.store.getFile(fileId)?.state === 'done') parts.resubmitted.add(fileId);
          void parts.finisher.finish(fileId);
          // Rows of lost calls that only a later order could settle are given up once nothing more is sent.
          parts.recovery().wakeIfWaiting();
        },
        onHalted: (message) => {
          parts.logger.error({ err: message }, 'submission halted until the configuration changes');
          parts.alerts.providerRefusedCredentials(message);
        },
        onBatchGaveUp: (_fileId, message) => parts.alerts.providerUnreachable(`${message} (${parts.provider})`),
        onReply: (fileId) => {
          parts.events.emit('file-changed', { fileIds: [fileId], reason: 'reply' });
          parts.alerts.providerReachable();
          parts.alerts.credentialsAccepted();
          parts.finisher.extendDraft(fileId);
          parts.capabilities.check();
          // Its order ids may bound the calls whose rows are being settled.
          parts.recovery().wakeIfWaiting();
        },
        onRecovering: () => parts.recovery().wake(),
        onNoCredit: (fileId, message) => parts.credit.holdFile(fileId, message),
        onStoreWriteFailed: (error) => parts.databaseHealth.writeFailed(error),
        onOneImeiPerCall: (serviceId, reason) => {
          parts.logger.warn(
            { service: serviceId, reason },
            'the provider orders only one IMEI per call for this service: sending one IMEI per call from now on',
          );
          parts.alerts.providerOrdersOneImeiPerCall(serviceId, reason);
        },
      };
}

/** What a report written, or failing to be written, means: the event, and alerts judged on it. */
export function reportReactions(
  parts: Pick<SubmissionReactionParts, 'events' | 'alerts' | 'store' | 'resubmitted'>,
): FinishEvents {
  return {
        onReportWritten: (fileId, summary, firstTime) => {
          parts.events.emit('file-reported', { fileId, summary, firstTime });
          parts.alerts.outputWorks();
          // Judged after its submission, and again after a retry resubmitted its rows (recovery).
          const judge = firstTime || parts.resubmitted.delete(fileId);
          // A repeat of an earlier file orders nothing on purpose: not a failure to alert on.
          if (judge && summary.repeatOf === undefined && summary.error === undefined) {
            parts.alerts.fileSubmitted({ fileId, ...summary, topErrors: parts.store.topErrors(fileId) });
          }
        },
        onOutputFailed: (fileId, error) =>
          parts.alerts.outputBlocked(parts.store.getFile(fileId)?.inboxPath ?? `file ${fileId}`, error),
      };
}
