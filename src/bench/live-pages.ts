/**
 * Open dashboard pages, as the benchmark's load: each loads the Now page once, then holds its
 * live stream (`/api/events`) open and reads every message, as a browser tab does. Plain HTTP
 * clients rather than browser tabs, so the machine's cores go to the daemon, not to rendering.
 */
import type { DaemonProcess } from './daemon-process.js';

export interface LivePagesResult {
  pages: number;
  /** Messages (file progress and status) each page received while the file was sent, on average. */
  messagesPerPage: number;
  /** Pages whose stream ended early or never opened. */
  failedPages: number;
}

export interface LivePages {
  close(): LivePagesResult;
}

const URL_TIMEOUT_MS = 20_000;

/** The dashboard URL the daemon logged at start (`dashboard at URL`). */
export async function dashboardUrl(daemon: DaemonProcess): Promise<string> {
  const deadline = Date.now() + URL_TIMEOUT_MS;
  for (;;) {
    const line = daemon.logs().find((l) => l.msg.startsWith('dashboard at ') && typeof l.url === 'string');
    if (line) return line.url as string;
    if (Date.now() > deadline) throw new Error('the daemon did not log its dashboard URL');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function openLivePages(url: string, count: number): Promise<LivePages> {
  const abort = new AbortController();
  const messages = new Array<number>(count).fill(0);
  let failed = 0;
  const opened: Promise<void>[] = [];
  for (let page = 0; page < count; page += 1) {
    opened.push(
      (async () => {
        await (await fetch(url, { signal: abort.signal })).text();
        const stream = await fetch(`${url}api/events`, { signal: abort.signal });
        if (!stream.ok || !stream.body) throw new Error(`HTTP ${stream.status}`);
        const reader = stream.body.getReader();
        // Reading goes on in the background until close() aborts it.
        void (async () => {
          const decoder = new TextDecoder();
          for (;;) {
            const chunk = await reader.read();
            if (chunk.done) return;
            messages[page] = (messages[page] ?? 0) + (decoder.decode(chunk.value).match(/^data: /gm)?.length ?? 0);
          }
        })().catch(() => {
          if (!abort.signal.aborted) failed += 1;
        });
      })().catch(() => {
        failed += 1;
      }),
    );
  }
  await Promise.all(opened);
  const atOpen = [...messages];
  return {
    close(): LivePagesResult {
      abort.abort();
      const received = messages.map((n, i) => n - (atOpen[i] ?? 0));
      return { pages: count, messagesPerPage: received.reduce((a, b) => a + b, 0) / Math.max(1, count), failedPages: failed };
    },
  };
}
