import type { AlertCause, AlertRecord, FileFacts } from '../store/alert-transitions.js';
import { count, escapeHtml, formatTime, oneLine, percent, scrubSecrets, thresholdPercent } from './format.js';

export interface ComposeOptions {
  /** Blanked wherever they appear: file names, provider messages, error texts. */
  secrets: readonly string[];
}

export interface ComposedMail {
  subject: string;
  text: string;
  html: string;
}

/** One part of the mail: what happened, the files it concerns, what to do. Shared with the database-health mail, so both look alike. */
export interface Section {
  /** The subject's words for it, e.g. `provider unreachable (3 files affected)`. */
  headline: string;
  heading: string;
  lines: string[];
  files: FileFacts[];
  advice: string[];
}

export const SUBJECT_PREFIX = 'imei-daemon: ';
export const MAX_SUBJECT = 200;
const MAX_ERROR = 200;
const TOP_ERRORS_SHOWN = 3;
const RETRY_ADVICE =
  'Failed rows are retried automatically on the retry schedule (hourly by default); run `imei-daemon retry` to retry them now.';
const STATUS_ADVICE = 'Run `imei-daemon status` to see files in progress, orders by state and failed rows waiting for retry.';

/**
 * The alert mail for a group of alerts, oldest first: a subject that says what is wrong, a
 * plain-text body and an HTML alternative with the same content. Provider conditions come
 * first and carry the files they explain; then files below the threshold; then recoveries.
 * Pure; every text that came from a file or the provider is scrubbed of secrets and escaped.
 */
export function composeAlertMail(alerts: readonly AlertRecord[], options: ComposeOptions): ComposedMail {
  const clean = (text: string): string => scrubSecrets(text, options.secrets);
  const cleaned = alerts.map((alert) => cleanAlert(alert, clean));
  const sections = [
    ...(['credentials', 'unreachable'] as const).flatMap((cause) => causeSection(cause, cleaned)),
    ...noCreditSection(cleaned),
    ...outputBlockedSection(cleaned),
    ...oneImeiPerCallSection(cleaned),
    ...lowSuccessSection(cleaned),
    ...recoveredSection(cleaned),
  ];
  const headlines = sections.length > 0 ? sections.map((s) => s.headline).join('; ') : 'alert';
  const subject = oneLine(SUBJECT_PREFIX + headlines, MAX_SUBJECT);
  return {
    subject: clean(subject),
    text: clean(renderText(sections)),
    html: clean(renderHtml(subject, sections)),
  };
}

function cleanAlert(alert: AlertRecord, clean: (text: string) => string): AlertRecord {
  const file = alert.file && {
    ...alert.file,
    file: clean(alert.file.file),
    topErrors: alert.file.topErrors.map((error) => oneLine(clean(error), MAX_ERROR)),
  };
  return { ...alert, file, message: oneLine(clean(alert.message), MAX_ERROR) };
}

function filesOf(alerts: readonly AlertRecord[]): FileFacts[] {
  return alerts.flatMap((alert) => (alert.file ? [alert.file] : []));
}

/** The rate the alert was judged on; alerts raised before it was kept have only `successRate`. */
function rateOf(file: FileFacts): number {
  return file.orderSuccessRate ?? file.successRate;
}

/** `40 rows` or, when some were never to be ordered (Duplicate, Invalid), `40 rows (25 to order)`. */
function rowsOf(file: FileFacts): string {
  const toOrder = file.toOrder !== undefined && file.toOrder !== file.rows ? ` (${count(file.toOrder, 'to order', 'to order')})` : '';
  return `${count(file.rows, 'row')}${toOrder}`;
}

function causeSection(cause: AlertCause, alerts: readonly AlertRecord[]): Section[] {
  const raised = alerts.filter((alert) => alert.kind === cause);
  const folded = alerts.filter((alert) => alert.kind === 'low-success' && alert.cause === cause);
  if (raised.length === 0 && folded.length === 0) return [];
  const first = raised[0] ?? folded[0];
  const message = (raised[raised.length - 1] ?? first)?.message ?? '';
  const since = first ? formatTime(first.raisedAt) : '';
  const files = filesOf(folded);
  const affected = files.length > 0 ? ` (${count(files.length, 'file')} affected)` : '';
  const earlier = raised.length === 0 ? ' This was reported in an earlier mail and still stands.' : '';
  if (cause === 'credentials') {
    return [
      {
        headline: `provider refused the credentials${affected}`,
        heading: 'The provider refused the credentials',
        lines: [
          `The provider refused the username or API key at ${since}: "${message}".${earlier}`,
          'Submission is halted: no order is sent until the credentials are fixed.',
          ...(files.length > 0 ? ['Files affected meanwhile:'] : []),
        ],
        files,
        advice: [
          'Check provider.username and provider.apiKey in config/local.json (or the GSMFUSION_USERNAME and GSMFUSION_API_KEY environment variables), then restart imei-daemon.',
          'Some servers tie an API key to the IP address it was first used from ("Unauthorized IP address"): if this machine\'s public IP changed, ask the provider to allow the new one.',
          'Rows not sent meanwhile wait untouched and are sent once the credentials work; run `imei-daemon retry` for rows already Failed.',
        ],
      },
    ];
  }
  return [
    {
      headline: `provider unreachable${affected}`,
      heading: 'The provider is unreachable',
      lines: [
        `Calls to the provider have been failing since ${since}: "${message}".${earlier}`,
        ...(files.length > 0 ? ['Files affected:'] : []),
      ],
      files,
      advice: [
        RETRY_ADVICE,
        'If it lasts, check provider.baseUrl in the configuration and this machine\'s network.',
      ],
    },
  ];
}

function noCreditSection(alerts: readonly AlertRecord[]): Section[] {
  const short = alerts.filter((alert) => alert.kind === 'no-credit');
  const last = short[short.length - 1];
  if (!last) return [];
  return [
    {
      headline: 'not enough credit at the provider',
      heading: 'The provider account is short of credit',
      lines: [
        `Since ${formatTime(last.raisedAt)} a file cannot be ordered: ${last.message}.`,
        'Nothing of it was ordered or charged, and its rows are not Failed: they wait.',
      ],
      files: [],
      advice: [
        'Top up the provider account. The daemon reads the balance on retry.schedule and sends the waiting rows once it covers them; `imei-daemon retry` checks now.',
        '`imei-daemon status` shows the balance last read and the files waiting for credit.',
      ],
    },
  ];
}

function outputBlockedSection(alerts: readonly AlertRecord[]): Section[] {
  const blocked = alerts.filter((alert) => alert.kind === 'output-blocked');
  const last = blocked[blocked.length - 1];
  if (!last) return [];
  return [
    {
      headline: 'cannot write reports to processed/',
      heading: 'Reports cannot be written',
      lines: [`Since ${formatTime(last.raisedAt)} a report could not be written or a file moved: "${last.message}".`],
      files: [],
      advice: [
        'Free disk space, or make the processed folder writable for the user the daemon runs as.',
        'Nothing is lost: the file stays in the inbox, its orders are in the database, and the report is written as soon as it can be.',
      ],
    },
  ];
}

function oneImeiPerCallSection(alerts: readonly AlertRecord[]): Section[] {
  const notices = alerts.filter((alert) => alert.kind === 'one-imei-per-call');
  if (notices.length === 0) return [];
  return [
    {
      headline: 'the provider orders one IMEI per call',
      heading: 'The provider does not take lists of IMEIs',
      lines: [
        'A call with several IMEIs was answered for only some of them, so the daemon now sends these services one IMEI per call:',
        ...notices.map((notice) => `  - ${notice.message} (${formatTime(notice.raisedAt)})`),
        'Every IMEI of such a call was checked again one by one: nothing was lost or ordered twice.',
      ],
      files: [],
      advice: [
        'Nothing to do. Files take longer: one call per IMEI, with all of submission.concurrency in use.',
        'If the provider confirms that it takes lists, set submission.batching to "batch".',
      ],
    },
  ];
}

function lowSuccessSection(alerts: readonly AlertRecord[]): Section[] {
  const low = alerts.filter((alert) => alert.kind === 'low-success' && alert.cause === null);
  const files = filesOf(low);
  const first = low[0];
  if (!first || files.length === 0) return [];
  const threshold = thresholdPercent(first.threshold);
  const only = files.length === 1 ? files[0] : undefined;
  return [
    {
      headline: only
        ? `${only.file} below ${threshold} success (${percent(rateOf(only))})`
        : `${files.length} files below ${threshold} success`,
      heading: `${count(files.length, 'file')} below ${threshold} success`,
      lines: [
        `Fewer than ${threshold} of the rows to order in ${files.length === 1 ? 'this file' : 'these files'} were ordered ` +
          '(rows already ordered before, Duplicate, and Invalid rows are not counted):',
      ],
      files,
      advice: [
        'Open the report in processed/: its NOTE column says why each row was not ordered.',
        RETRY_ADVICE,
        'If every row fails, check the API key in config/local.json or GSMFUSION_API_KEY.',
      ],
    },
  ];
}

function recoveredSection(alerts: readonly AlertRecord[]): Section[] {
  const recovered = alerts.filter((alert) => alert.kind === 'recovered');
  const files = filesOf(recovered);
  const first = recovered[0];
  if (!first || files.length === 0) return [];
  const threshold = thresholdPercent(first.threshold);
  const only = files.length === 1 ? files[0] : undefined;
  return [
    {
      headline: only
        ? `recovered: ${only.file} back at ${percent(rateOf(only))} success`
        : `recovered: ${files.length} files back above ${threshold} success`,
      heading: 'Recovered',
      lines: [`Back at or above ${threshold} success after an earlier alert:`],
      files,
      advice: [],
    },
  ];
}

function fileLine(file: FileFacts): string {
  const errors = file.topErrors.slice(0, TOP_ERRORS_SHOWN);
  const top = errors.length > 0 ? `; top errors: ${errors.join(' | ')}` : '';
  return `  - ${file.file}: ${rowsOf(file)}, ${percent(rateOf(file))} success, ${file.failed} failed${top}`;
}

export function renderText(sections: readonly Section[]): string {
  const parts = sections.map((section) =>
    [
      section.heading.toUpperCase(),
      ...section.lines,
      ...section.files.map(fileLine),
      ...(section.advice.length > 0 ? ['', 'What to do:', ...section.advice.map((line) => `  * ${line}`)] : []),
    ].join('\n'),
  );
  return `${[...parts, STATUS_ADVICE].join('\n\n')}\n`;
}

function renderTable(files: readonly FileFacts[]): string {
  const cell = 'style="border:1px solid #ccc;padding:4px 8px;text-align:left"';
  const head = ['File', 'Rows', 'Success rate', 'Failed', 'Top error messages'].map((h) => `<th ${cell}>${h}</th>`).join('');
  const rows = files.map((file) => {
    const errors = file.topErrors.slice(0, TOP_ERRORS_SHOWN).map(escapeHtml).join('<br>');
    const cells = [escapeHtml(file.file), escapeHtml(rowsOf(file)), percent(rateOf(file)), String(file.failed), errors];
    return `<tr>${cells.map((c) => `<td ${cell}>${c}</td>`).join('')}</tr>`;
  });
  return `<table style="border-collapse:collapse"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function renderHtml(subject: string, sections: readonly Section[]): string {
  const body = sections.map((section) =>
    [
      `<h2>${escapeHtml(section.heading)}</h2>`,
      ...section.lines.map((line) => `<p>${escapeHtml(line)}</p>`),
      ...(section.files.length > 0 ? [renderTable(section.files)] : []),
      ...(section.advice.length > 0
        ? [`<p><b>What to do</b></p><ul>${section.advice.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`]
        : []),
    ].join('\n'),
  );
  return [
    '<!DOCTYPE html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="font-family:sans-serif">`,
    ...body,
    `<p>${escapeHtml(STATUS_ADVICE)}</p>`,
    '</body></html>',
    '',
  ].join('\n');
}
