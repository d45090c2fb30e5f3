// An environment's stdout and stderr, split into lines: the function's output goes to the invocation
// listening now (or waits for the next one), and our bootstrap's notices go to the host's log.
import type { ChildProcess } from 'node:child_process';

export type LineSink = (line: string) => void;

/** The host's own logger, for lines that are about the host, not the function (see HOST_LINE_PREFIX). */
export type HostLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

/**
 * A stderr line starting with this comes from our bootstrap and is the host's notice to the user
 * (e.g. "compiling TypeScript handler… (a local convenience)"), not the function's output: it goes
 * to the host's log, never into the invocation's Lambda log. `[lambda-workbench] <LEVEL> <message>`.
 */
export const HOST_LINE_PREFIX = '[lambda-workbench] ';
const HOST_LINE = /^\[lambda-workbench\] (?:(DEBUG|INFO|WARN|ERROR) )?(.*)$/;

/** Default host log: the line as the bootstrap wrote it, on this process's stderr. */
export const stderrHostLog: HostLog = (level, message) => process.stderr.write(`${HOST_LINE_PREFIX}${level.toUpperCase()} ${message}\n`);

/** What debuggers in the environment say on stderr: Node's inspector, the debug gem's server (`DEBUGGER: Connected.`). */
const INSPECTOR_NOTICE =
  /^(Debugger listening on ws:\/\/|For help, see: https:\/\/nodejs\.org\/en\/docs\/inspector|Debugger attached\.$|Waiting for the debugger to disconnect\.\.\.$|DEBUGGER: (Debugger can attach via |Connected\.$|Disconnected\.$))/;

/** Lines kept for an invocation that has not started yet; beyond this they are dropped. */
const PENDING_LINES_MAX = 10_000;

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface OutputDemuxOptions {
  /** Prefixes host notices (`<function>: <message>`). */
  functionName: string;
  /** With the inspector on, its own notices on stderr are the host's doing, not the function's output. */
  debug: boolean;
  hostLog?: HostLog;
}

export class OutputDemux {
  /** Where the function's lines go now; undefined → they wait for the next invocation. */
  sink: LineSink | undefined;
  private pendingLines: string[] = [];
  private partial = { stdout: '', stderr: '' };
  private streamsOpen = 0;
  private streamsClosed: (() => void) | undefined;

  constructor(private readonly options: OutputDemuxOptions) {}

  watch(child: ChildProcess): void {
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = child[name];
      if (!stream) continue;
      this.streamsOpen++;
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => this.onOutput(name, chunk));
      stream.on('error', () => undefined);
      stream.on('close', () => {
        this.streamsOpen--;
        if (this.streamsOpen === 0) this.streamsClosed?.();
      });
    }
  }

  /** A line of the platform's own (INIT_START, START…), in order with the function's. */
  emit(line: string): void {
    if (this.sink) this.sink(line);
    else if (this.pendingLines.length < PENDING_LINES_MAX) this.pendingLines.push(line);
  }

  /** The lines that arrived while no invocation was listening. */
  takePending(): string[] {
    const lines = this.pendingLines;
    this.pendingLines = [];
    return lines;
  }

  /** A last line without its newline is still a line once the invocation ends. */
  flushPartial(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) {
        this.emit(this.partial[stream]);
        this.partial[stream] = '';
      }
    }
  }

  /**
   * The runtime wrote its log lines to the pipe before it posted the response (Node's pipe writes are
   * synchronous on Linux), so they are already in the kernel; one more turn of the event loop reads them.
   */
  async settle(): Promise<void> {
    await nextTick();
    await nextTick();
  }

  /** After the process died: read the pipes to their end (bounded, in case a stray holder keeps them open). */
  async drain(): Promise<void> {
    if (this.streamsOpen > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 500);
        this.streamsClosed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.streamsClosed = undefined;
    }
    this.flushPartial();
  }

  private onOutput(stream: 'stdout' | 'stderr', chunk: string): void {
    const text = this.partial[stream] + chunk;
    const lines = text.split('\n');
    this.partial[stream] = lines.pop()!;
    for (const line of lines) {
      if (this.options.debug && stream === 'stderr' && INSPECTOR_NOTICE.test(line)) continue;
      if (stream === 'stderr' && line.startsWith(HOST_LINE_PREFIX)) {
        this.hostLine(line);
        continue;
      }
      this.emit(line);
    }
  }

  private hostLine(line: string): void {
    const m = HOST_LINE.exec(line)!;
    const level = (m[1]?.toLowerCase() ?? 'info') as Parameters<HostLog>[0];
    (this.options.hostLog ?? stderrHostLog)(level, `${this.options.functionName}: ${m[2]}`);
  }
}
