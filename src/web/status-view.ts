/**
 * The Now page's status cards in words. Written once, here: the page renders them, and the live
 * `status` event carries the same words, which the page's script only puts in place.
 */
import { formatAgo, formatCount, formatTime } from './format.js';
import type { NowStatus } from './now-status.js';

export type Tone = 'ok' | 'warn' | 'bad' | 'quiet';

export interface CardView {
  value: string;
  detail: string;
  tone: Tone;
}

export interface StatusView {
  openOrders: CardView;
  calls: CardView;
  provider: CardView;
  alerts: CardView;
}

const CONDITION_WORDS: Record<string, string> = {
  'low-success': 'a file below the success threshold',
  credentials: 'the provider refused the credentials',
  unreachable: 'the provider is unreachable',
  'output-blocked': 'reports cannot be written',
};

function openOrdersCard(status: Omit<NowStatus, 'view'>, now: number): CardView {
  const { count, oldestPlacedAt } = status.openOrders;
  return {
    value: formatCount(count),
    detail:
      count === 0
        ? 'no order is waiting for its result'
        : `oldest placed ${formatAgo(oldestPlacedAt, now)} (${formatTime(oldestPlacedAt)}); asked every ${status.pollIntervalSeconds} s`,
    tone: 'quiet',
  };
}

function callsCard(status: Omit<NowStatus, 'view'>): CardView {
  const { lastMinute, budgetPerMinute } = status.calls;
  if (budgetPerMinute === 0) return { value: formatCount(lastMinute), detail: 'in the last 60 s; no per-minute budget set', tone: 'quiet' };
  const share = lastMinute / budgetPerMinute;
  return {
    value: `${formatCount(lastMinute)} of ${formatCount(budgetPerMinute)}`,
    detail: `in the last 60 s (submission.maxCallsPerMinute: ${budgetPerMinute})`,
    tone: share >= 1 ? 'bad' : share >= 0.8 ? 'warn' : 'ok',
  };
}

function providerCard(status: Omit<NowStatus, 'view'>, now: number): CardView {
  const p = status.provider;
  const lastError = p.lastError ? `; last error ${formatAgo(p.lastError.at, now)}: ${p.lastError.message}` : '';
  if (p.credentialsRefused || status.health.submissionHalted) {
    return { value: 'Credentials refused', detail: `nothing is ordered until the key is fixed and the daemon restarted${lastError}`, tone: 'bad' };
  }
  if (p.reachable === null) return { value: 'No call yet', detail: 'since the dashboard started', tone: 'quiet' };
  if (!p.reachable) return { value: 'Not answering', detail: `since ${formatTime(p.since)} (${formatAgo(p.since, now)})${lastError}`, tone: 'bad' };
  return {
    value: 'Reachable',
    detail: `since ${formatTime(p.since)}; last answer ${formatAgo(p.lastContactAt, now)}${lastError}`,
    tone: p.lastError && now - Date.parse(p.lastError.at) < 5 * 60_000 ? 'warn' : 'ok',
  };
}

function alertsCard(status: Omit<NowStatus, 'view'>, now: number): CardView {
  const a = status.alerts;
  const mail = a.lastMail ? `last mail ${formatTime(a.lastMail.sentAt)}: ${a.lastMail.subject ?? ''}` : 'no alert mailed yet';
  const next = a.nextMailAllowedAt && Date.parse(a.nextMailAllowedAt) > now ? `; next mail allowed ${formatTime(a.nextMailAllowedAt)}` : '';
  const queued = a.queued > 0 ? `; ${a.queued} waiting for the next mail` : '';
  const database = status.health.databaseWritable ? [] : ['the database refuses writes'];
  const standing = [...database, ...a.standing.map((c) => CONDITION_WORDS[c.kind] ?? c.kind)];
  if (standing.length > 0) {
    return { value: `${standing.length} standing`, detail: `${standing.join('; ')}. ${mail}${next}${queued}`, tone: 'bad' };
  }
  const recovered = a.recovered && a.lastAlert ? `recovered ${formatAgo(a.lastAlert.raisedAt, now)}; ` : '';
  return { value: a.recovered ? 'Recovered' : 'None standing', detail: `${recovered}${mail}${next}${queued}`, tone: 'ok' };
}

export function statusView(status: Omit<NowStatus, 'view'>, now = Date.now()): StatusView {
  return {
    openOrders: openOrdersCard(status, now),
    calls: callsCard(status),
    provider: providerCard(status, now),
    alerts: alertsCard(status, now),
  };
}
