/**
 * Where the daemon's CPU went, from a `node --cpu-prof` profile. Each sample is charged to the
 * step of the flow it belongs to: by the nearest frame of our own code up the stack, or, for
 * work running on its own callbacks (csv-parse, undici, streams), by the library's package.
 * Async code loses its callers across an `await`, so "nearest own frame" beats "is intakeFile
 * on the stack" for this purpose.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  ms: number;
  /** Share of the non-idle time, 0..1. */
  share: number;
}

export interface ProfileSummary {
  file: string;
  /** Sampled time the daemon was not idle, ms. */
  busyMs: number;
  idleMs: number;
  byStep: ProfileEntry[];
  /** Functions by their own (self) time, wherever they live. */
  topSelf: ProfileEntry[];
  /** Our own functions, charged with what they call in libraries and native code. */
  topOwnCode: ProfileEntry[];
}

const TOP = 15;

/** Packages whose frames are looked through: their time belongs to whichever of our functions called them. */
const TRANSPARENT_PACKAGES = new Set(['better-sqlite3', 'p-limit', 'p-retry', 'yocto-queue']);

interface OwnCodeRule {
  /** Matches the frame's file under dist/. */
  file: RegExp;
  /** Matches the frame's function name; any when absent. */
  fn?: RegExp;
  step: string;
}

const INTAKE_READ = 'intake: read + validate rows';
const INTAKE_INSERT = 'intake: insert rows (SQLite)';
const INTAKE_PLAN = 'intake: dedupe + plan batches (SQLite)';
const SUBMIT_BOOKKEEPING = 'submit: bookkeeping (SQLite per attempt)';
const SUBMIT_CLIENT = 'submit: provider client (HTTP + XML)';
const REPORT = 'report: render csv + summary';
const POLLER = 'result poller: getimeis (HTTP + XML + SQLite)';

/** A sample taken while the client read a `getimeis` reply belongs to the poller, not to submission. */
function isPollerWork(path: readonly ProfileNode[]): boolean {
  return path.some((node) => {
    const file = ownFile(node.callFrame.url);
    if (file === undefined) return false;
    return /^(engine\/result-poller|store\/order-transitions)\.js$/.test(file) ||
      (file.startsWith('provider/') && node.callFrame.functionName === 'getOrders');
  });
}

/** Steps by the file (and function) of our own frame; first match wins. */
const OWN_CODE_RULES: readonly OwnCodeRule[] = [
  { file: /^intake\//, step: INTAKE_READ },
  { file: /^engine\/intake-file\.js$/, step: INTAKE_READ },
  { file: /^store\/intake-transitions\.js$/, fn: /^(appendRows|createFile)$/, step: INTAKE_INSERT },
  { file: /^store\/intake-transitions\.js$/, step: INTAKE_PLAN },
  { file: /^store\/plan-batches\.js$/, step: INTAKE_PLAN },
  { file: /^store\/batch-transitions\.js$/, step: SUBMIT_BOOKKEEPING },
  { file: /^engine\/(submitter|rate-gate)\.js$/, step: SUBMIT_BOOKKEEPING },
  { file: /^store\/store\.js$/, step: 'store: file queries (settled? report due?)' },
  { file: /^provider\//, step: SUBMIT_CLIENT },
  { file: /^report\//, step: REPORT },
  { file: /^store\/report-queries\.js$/, step: REPORT },
  { file: /^engine\/finish-file\.js$/, step: REPORT },
  { file: /^watch\//, step: 'watch: inbox watcher' },
  { file: /^(engine\/retry-job|store\/retry-transitions)\.js$/, step: 'retry job (cron)' },
  { file: /^(engine\/result-poller|store\/order-transitions)\.js$/, step: POLLER },
  { file: /^(alerts\/|store\/alert-transitions\.js$)/, step: 'alerts' },
  { file: /^log\.js$/, step: 'logging' },
  { file: /^config\//, step: 'start-up' },
  { file: /^simulator\//, step: 'simulator (inside the daemon?!)' },
];

const PACKAGE_STEPS: Record<string, string> = {
  'csv-parse': INTAKE_READ,
  undici: SUBMIT_CLIENT,
  'fast-xml-parser': SUBMIT_CLIENT,
  // fast-xml-parser's own dependencies.
  'path-expression-matcher': SUBMIT_CLIENT,
  '@nodable/entities': SUBMIT_CLIENT,
  anynum: SUBMIT_CLIENT,
  strnum: SUBMIT_CLIENT,
  'csv-stringify': REPORT,
  chokidar: 'watch: inbox watcher',
  readdirp: 'watch: inbox watcher',
  'node-cron': 'retry job (cron)',
  'date-fns': 'retry job (cron)',
  pino: 'logging',
  'pino-roll': 'logging',
  'pino-std-serializers': 'logging',
  '@pinojs/redact': 'logging',
  'thread-stream': 'logging',
  'sonic-boom': 'logging',
  zod: 'start-up',
  commander: 'start-up',
  bindings: 'start-up',
};

function packageOf(url: string): string | undefined {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  return match?.[1];
}

/** The daemon's compiled code: `file:///.../dist/`, the folder this file's own compiled form sits in. */
const DIST_ROOT = new URL('../', import.meta.url).href;

/** Our file under dist/ (e.g. `store/store.js`), or undefined for anything else. */
function ownFile(url: string): string | undefined {
  return url.startsWith(DIST_ROOT) ? url.slice(DIST_ROOT.length) : undefined;
}

function frameName(frame: CallFrame): string {
  const file = ownFile(frame.url) ?? frame.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '');
  const where = file ? ` ${file}:${frame.lineNumber + 1}` : '';
  return `${frame.functionName || '(anonymous)'}${where}`;
}

/**
 * The name of our function at `path[index]`; an anonymous one (a transaction body, a callback)
 * borrows the name of the nearest named function of the same file above it.
 */
function ownFunctionName(path: readonly ProfileNode[], index: number): string {
  const frame = path[index]?.callFrame;
  if (!frame || frame.functionName !== '') return frame?.functionName ?? '';
  const enclosing = path.slice(index + 1).find((n) => n.callFrame.url === frame.url && n.callFrame.functionName !== '');
  return enclosing ? `${enclosing.callFrame.functionName} > (anonymous)` : '';
}

/** The step a sample belongs to, walking up from its leaf. */
function stepOf(path: readonly ProfileNode[]): string {
  const leaf = path[0]?.callFrame.functionName ?? '';
  if (leaf === '(garbage collector)') return 'GC';
  if (leaf === '(program)') return 'V8 / native, unattributed';
  if (isPollerWork(path)) return POLLER;
  for (const [index, node] of path.entries()) {
    const { url } = node.callFrame;
    const file = ownFile(url);
    if (file !== undefined) {
      const fn = ownFunctionName(path, index).split(' > ')[0] ?? '';
      const rule = OWN_CODE_RULES.find((r) => r.file.test(file) && (r.fn === undefined || r.fn.test(fn)));
      return rule ? rule.step : `daemon glue (${file})`;
    }
    const pkg = packageOf(url);
    if (pkg && !TRANSPARENT_PACKAGES.has(pkg)) return PACKAGE_STEPS[pkg] ?? `other package: ${pkg}`;
  }
  return 'node internals (streams, fs, timers, module loading)';
}

function ranked(totals: Map<string, number>, busyMs: number, limit: number): ProfileEntry[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, ms]) => ({ name, ms: Math.round(ms), share: busyMs > 0 ? ms / busyMs : 0 }));
}

function add(totals: Map<string, number>, key: string, ms: number): void {
  totals.set(key, (totals.get(key) ?? 0) + ms);
}

export function summariseProfile(profile: CpuProfile, file: string): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
  const pathCache = new Map<number, ProfileNode[]>();
  const pathOf = (node: ProfileNode): ProfileNode[] => {
    let path = pathCache.get(node.id);
    if (!path) {
      path = [];
      for (let at: ProfileNode | undefined = node; at; at = parent.get(at.id)) path.push(at);
      pathCache.set(node.id, path);
    }
    return path;
  };

  const steps = new Map<string, number>();
  const self = new Map<string, number>();
  const own = new Map<string, number>();
  let busyMs = 0;
  let idleMs = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    const ms = (profile.timeDeltas[index + 1] ?? profile.timeDeltas[index] ?? 0) / 1000;
    if (!node || ms <= 0) return;
    if (node.callFrame.functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    busyMs += ms;
    const path = pathOf(node);
    add(steps, stepOf(path), ms);
    add(self, frameName(node.callFrame), ms);
    const ownIndex = path.findIndex((n) => ownFile(n.callFrame.url) !== undefined);
    const ownFrame = path[ownIndex];
    if (ownFrame) {
      add(own, frameName({ ...ownFrame.callFrame, functionName: ownFunctionName(path, ownIndex) }), ms);
    }
  });
  return {
    file,
    busyMs: Math.round(busyMs),
    idleMs: Math.round(idleMs),
    byStep: ranked(steps, busyMs, Infinity),
    topSelf: ranked(self, busyMs, TOP),
    topOwnCode: ranked(own, busyMs, TOP),
  };
}

/**
 * Summarises the main thread's `.cpuprofile` in `dir`, if any. Node writes one per thread, named
 * `CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile`; the reader thread's (id 1 and up) is
 * left for a closer look by hand.
 */
export async function summariseProfileDir(dir: string): Promise<ProfileSummary | undefined> {
  const names = (await readdir(dir).catch(() => [])).filter((name) => /\.0\.\d+\.cpuprofile$/.test(name));
  const name = names.sort().pop();
  if (!name) return undefined;
  const path = join(dir, name);
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  return summariseProfile(profile, path);
}
