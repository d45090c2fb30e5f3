// What several benchmark sections share: percentiles, and a host in this process on a throwaway project.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventSource } from '../runtime-host/host-context';
import { startHost, type RunningHost } from '../runtime-host/server/host';

/** The p-th percentile of ascending `sorted` values (0 when there are none). */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export interface BenchHost {
  host: RunningHost;
  /** Stops the host and removes its project. */
  close(): Promise<void>;
}

/** A quiet host in this process, serving a project made of `files` (name → text) with only `eventSources`. */
export async function benchHost(name: string, files: Record<string, string>, eventSources: EventSource[]): Promise<BenchHost> {
  const dir = mkdtempSync(join(tmpdir(), `lw-bench-${name}-`));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  const quiet = { info() {}, warn() {}, error() {}, debug() {} };
  const host = await startHost({ root: dir, log: quiet, watch: false, writeHostFile: false, eventSources });
  return {
    host,
    async close() {
      await host.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
