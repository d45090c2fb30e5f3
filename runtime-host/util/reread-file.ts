// A small kernel file read again and again (/proc/<pid>/status, a cgroup's memory peak): kept open
// and read from its start each time, since opening and closing it per reading costs more than the
// read. Synchronous, for the paths that measure right as an invocation ends.
import { closeSync, openSync, readSync } from 'node:fs';

/** One buffer for every reading (a status file is ~1.5 kB; children lists and counters are short). */
const buffer = Buffer.alloc(16_384);

export class RereadFile {
  private fd: number | undefined;
  private gone = false;

  constructor(readonly path: string) {}

  /** The file's current text, or undefined once it is gone (its process exited, its cgroup was removed). */
  read(): string | undefined {
    if (this.gone) return undefined;
    try {
      this.fd ??= openSync(this.path, 'r');
      const bytes = readSync(this.fd, buffer, 0, buffer.length, 0);
      return buffer.toString('latin1', 0, bytes);
    } catch {
      // ENOENT/ESRCH: the process exited or the cgroup went (a pid is not reused under an open fd's path we keep).
      this.close();
      this.gone = true;
      return undefined;
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
  }
}
