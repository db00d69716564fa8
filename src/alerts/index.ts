export { AlertCenter } from './alert-center.js';
export { composeAlertMail, type ComposedMail, type ComposeOptions } from './compose.js';
export { createSmtpMailer, senderAddress, type Mailer, type OutgoingMail, type SentMail } from './mailer.js';
export type { AlertCenterOptions, FileSubmittedInput, SmtpOptions } from './types.js';
export { DatabaseHealth, DEFAULT_PROBE_INTERVAL_MS, heartbeatProbe, type DatabaseHealthOptions, type DatabaseProbe } from './database-health.js';
