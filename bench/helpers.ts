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
  /** Stops the host, writes `files` over the project's, and starts a new host on it (same state folder) with `eventSources`. */
  restart(files: Record<string, string>, eventSources: EventSource[]): Promise<RunningHost>;
  /** Stops the host and removes its project. */
  close(): Promise<void>;
}

/** A quiet host in this process, serving a project made of `files` (name → text) with only `eventSources`. */
export async function benchHost(name: string, files: Record<string, string>, eventSources: EventSource[]): Promise<BenchHost> {
  const dir = mkdtempSync(join(tmpdir(), `lw-bench-${name}-`));
  const quiet = { info() {}, warn() {}, error() {}, debug() {} };
  const start = (sources: EventSource[]) => startHost({ root: dir, log: quiet, watch: false, writeHostFile: false, eventSources: sources });
  const write = (project: Record<string, string>) => {
    for (const [file, text] of Object.entries(project)) writeFileSync(join(dir, file), text);
  };
  write(files);
  const bench: BenchHost = {
    host: await start(eventSources),
    async restart(project, sources) {
      await bench.host.close();
      write(project);
      bench.host = await start(sources);
      return bench.host;
    },
    async close() {
      await bench.host.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return bench;
}
