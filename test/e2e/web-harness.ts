/** Starting the daemon with its dashboard on port 0, and learning the URL it logged. */
import { startCli, waitFor, type RunningCli, type Workspace } from './harness.js';

export interface DashboardDaemon {
  daemon: RunningCli;
  /** `http://127.0.0.1:PORT/`, as logged at start. */
  url: string;
}

/** The URL of the first `dashboard at URL` line in the daemon's JSON log output. */
export function loggedDashboardUrl(output: string): string | undefined {
  for (const line of output.split('\n')) {
    if (!line.startsWith('{') || !line.includes('dashboard at')) continue;
    try {
      const parsed = JSON.parse(line) as { msg?: string; url?: string };
      if (parsed.msg?.startsWith('dashboard at') && parsed.url) return parsed.url;
    } catch {
      // Not a log line.
    }
  }
  return undefined;
}

/** Writes the config (web on port 0 unless `overrides` says otherwise), starts `start`, waits for the URL. */
export async function startWithDashboard(ws: Workspace, overrides: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<DashboardDaemon> {
  const web = { port: 0, ...((overrides.web as Record<string, unknown> | undefined) ?? {}) };
  await ws.writeConfig({ ...overrides, web });
  const daemon = startCli(['start', '--config', ws.configFile], env);
  try {
    const url = await waitFor(() => loggedDashboardUrl(daemon.output()), 'the dashboard URL in the log', 20_000);
    return { daemon, url };
  } catch (error) {
    daemon.process.kill('SIGKILL');
    throw new Error(`${(error as Error).message}: ${daemon.output().slice(-2000)}`);
  }
}

/** Reads server-sent events from a fetch body until `done` says stop; returns every data payload seen. */
export async function readEvents(
  body: ReadableStream<Uint8Array>,
  done: (data: unknown[]) => boolean,
): Promise<unknown[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const seen: unknown[] = [];
  let buffer = '';
  try {
    while (!done(seen)) {
      const chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1] ?? 'message';
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (data !== undefined) seen.push({ event, data: JSON.parse(data) as unknown });
        end = buffer.indexOf('\n\n');
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return seen;
}
