import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import { describeConfigIssues } from './describe-issues.js';
import { configSchema, type DaemonConfig } from './schema.js';
import { isLoopbackHost } from '../web/loopback.js';

/** The repository root: relative paths in the configuration resolve against it. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ResolvedPaths {
  inbox: string;
  processed: string;
  checkpoints: string;
  /** Empty when logging to a file is switched off (`log.file: ""`). */
  logFile: string;
}

export interface ResolvedConfig extends DaemonConfig {
  paths: ResolvedPaths;
  /** No API key: the built-in simulator answers and no real order is placed. */
  simulated: boolean;
}

export interface LoadConfigOptions {
  /** `--config FILE`; falls back to `IMEI_DAEMON_CONFIG`, then `config/local.json` if present. */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Where `config/` lives and relative paths resolve; the repository root by default. */
  rootDir?: string;
}

type JsonObject = { [key: string]: unknown };

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; arrays and scalars from `override` replace. */
export function deepMerge(base: JsonObject, override: JsonObject): JsonObject {
  const merged: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

function readJsonFile(path: string, label: string): JsonObject {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`${label} ${path} cannot be read (${code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // Never the parser's message: it quotes the text around the mistake, which may be the API key.
    throw new ConfigError(`${label} ${path} is not valid JSON${jsonErrorLine(text, error)}`);
  }
  if (!isPlainObject(parsed)) throw new ConfigError(`${label} ${path} must hold a JSON object`);
  return parsed;
}

/** ` (line N)` from a JSON.parse error's position, or nothing when it gives none. */
function jsonErrorLine(text: string, error: unknown): string {
  const position = /position (\d+)/.exec((error as Error).message ?? '')?.[1];
  if (position === undefined) return '';
  return ` (line ${text.slice(0, Number(position)).split('\n').length})`;
}

function applyEnvironment(config: JsonObject, env: NodeJS.ProcessEnv): JsonObject {
  const overrides: JsonObject = {};
  const provider: JsonObject = {};
  if (env.GSMFUSION_BASE_URL) provider.baseUrl = env.GSMFUSION_BASE_URL;
  if (env.GSMFUSION_USERNAME) provider.username = env.GSMFUSION_USERNAME;
  if (env.GSMFUSION_API_KEY) provider.apiKey = env.GSMFUSION_API_KEY;
  if (Object.keys(provider).length > 0) overrides.provider = provider;
  if (env.SMTP_PASSWORD) overrides.alerts = { smtp: { pass: env.SMTP_PASSWORD } };
  if (env.IMEI_DAEMON_WEB_TOKEN) overrides.web = { token: env.IMEI_DAEMON_WEB_TOKEN };
  return deepMerge(config, overrides);
}

function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function resolvePath(rootDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(rootDir, path);
}

/**
 * Loads `config/default.json`, merges the user's file and the environment over it, and
 * validates the result. Throws `ConfigError` with one line naming the key.
 */
export function loadConfig(options: LoadConfigOptions = {}): ResolvedConfig {
  const env = options.env ?? process.env;
  const rootDir = options.rootDir ?? REPO_ROOT;
  const defaults = readJsonFile(resolve(rootDir, 'config/default.json'), 'default configuration');
  let raw = defaults;
  const userFile = options.configFile ?? env.IMEI_DAEMON_CONFIG;
  if (userFile) {
    raw = deepMerge(raw, readJsonFile(resolvePath(process.cwd(), userFile), 'configuration file'));
  } else {
    const local = resolve(rootDir, 'config/local.json');
    if (existsSync(local)) raw = deepMerge(raw, readJsonFile(local, 'configuration file'));
  }
  raw = applyEnvironment(raw, env);

  const result = configSchema.safeParse(raw);
  if (!result.success) {
    // Every bad key at once, a misspelt one with the key it was probably meant to be.
    throw new ConfigError(`bad configuration: ${describeConfigIssues(result.error.issues, defaults)}`);
  }
  const config = result.data;
  const simulated = config.provider.apiKey === '';
  const baseUrl = new URL(config.provider.baseUrl);
  // The API key travels in the request body: over plain HTTP anyone on the path could read it.
  if (!simulated && baseUrl.protocol !== 'https:' && !isLoopbackUrl(baseUrl)) {
    throw new ConfigError('bad configuration: provider.baseUrl: must use https unless it points at the loopback address');
  }
  // Without a token anyone who can reach the address could read the history and upload files.
  if (config.web.enabled && config.web.token === '' && !isLoopbackHost(config.web.host)) {
    throw new ConfigError(
      `bad configuration: web.host: ${config.web.host} is not a loopback address; set web.token (or IMEI_DAEMON_WEB_TOKEN) to serve the dashboard there`,
    );
  }
  return {
    ...config,
    simulated,
    paths: {
      inbox: resolvePath(rootDir, config.folders.inbox),
      processed: resolvePath(rootDir, config.folders.processed),
      checkpoints: resolvePath(rootDir, config.folders.checkpoints),
      logFile: config.log.file ? resolvePath(rootDir, config.log.file) : '',
    },
  };
}
