/** The machine the numbers were measured on: they mean little without it. */
import { open, rm } from 'node:fs/promises';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { MachineInfo } from './results.js';

const FSYNC_PROBES = 30;

/** Median ms of a 4 kB write + fsync to a file in the temp dir, where the workspaces live. */
async function probeFsync(): Promise<number | undefined> {
  const path = join(tmpdir(), `imei-bench-fsync-${process.pid}`);
  const handle = await open(path, 'w');
  try {
    const block = Buffer.alloc(4096, 1);
    const times: number[] = [];
    for (let i = 0; i < FSYNC_PROBES; i += 1) {
      const start = process.hrtime.bigint();
      await handle.write(block, 0, block.length, i * block.length);
      await handle.sync();
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  } catch {
    return undefined;
  } finally {
    await handle.close();
    await rm(path, { force: true });
  }
}

export async function describeMachine(): Promise<MachineInfo> {
  const cores = cpus();
  return {
    cpuModel: cores[0]?.model ?? 'unknown',
    cpuCount: cores.length,
    totalMemoryMb: Math.round(totalmem() / 1024 / 1024),
    node: process.version,
    platform: `${platform()} ${release()}`,
    fsyncMedianMs: await probeFsync(),
  };
}

export function machineLine(machine: MachineInfo): string {
  const fsync = machine.fsyncMedianMs === undefined ? 'n/a' : `${machine.fsyncMedianMs.toFixed(2)} ms`;
  return (
    `machine: ${machine.cpuModel} x ${machine.cpuCount}, ${(machine.totalMemoryMb / 1024).toFixed(1)} GB, ` +
    `Node ${machine.node}, ${machine.platform}, fsync ${fsync} (median, temp dir)`
  );
}
