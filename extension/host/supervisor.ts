// Supervises the runtime host process: started lazily on first use with the user's node, its settings
// handed over, restarted with back-off when it dies (the user is told once), records in flight marked
// interrupted when it goes. Requests and notifications travel through the RpcClient (rpc-client.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { RpcError } from '../../runtime-host/protocol';
import type { InvocationRecord, MethodName, NotificationName, Notifications, ParamsOf, ReadyLine, ResultOf, RpcErrorObject } from '../../runtime-host/protocol';
import { serializeHostSettings } from '../../runtime-host/protocol/settings';
import type { Config } from '../config';
import { findNode, HostUnavailableError, parseReadyLine } from '../node-lookup';
import { RpcClient, type AnyNotification } from './rpc-client';

export { HostUnavailableError } from '../node-lookup';
export type { AnyNotification } from './rpc-client';

export type HostState =
  { kind: 'stopped' } | { kind: 'starting' } | { kind: 'ready'; ready: ReadyLine } | { kind: 'error'; message: string; restartInMs?: number };

const READY_TIMEOUT_MS = 60_000;
const BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000];
/** A host that stayed up this long is healthy again: the next crash starts the back-off from the beginning. */
const STABLE_AFTER_MS = 60_000;

export interface HostConnectionOptions {
  /** Absolute path of the extension (where dist/cli.js lives). */
  extensionPath: string;
  /** Project root passed to `serve --root`. */
  root: string;
  config: Config;
  log: vscode.LogOutputChannel;
}

export class HostConnection implements vscode.Disposable {
  private stateValue: HostState = { kind: 'stopped' };
  private readonly stateChanged = new vscode.EventEmitter<HostState>();
  readonly onDidChangeState = this.stateChanged.event;
  private readonly notified = new vscode.EventEmitter<AnyNotification>();
  /** Every notification from the host, plus `invocation.finished` for records the host took down with it (status `interrupted`). */
  readonly onNotification = this.notified.event;

  private process: ChildProcess | undefined;
  private readonly rpc: RpcClient;
  private starting: Promise<ReadyLine> | undefined;
  /** Records started and not yet finished: what a crash would silently lose otherwise. */
  private readonly inFlight = new Map<string, InvocationRecord>();
  private restartTimer: NodeJS.Timeout | undefined;
  private crashes = 0;
  private toldUserAboutCrash = false;
  private readyAt = 0;
  private disposed = false;

  constructor(private readonly options: HostConnectionOptions) {
    this.rpc = new RpcClient({
      log: options.log,
      notification: (n) => {
        this.track(n);
        this.notified.fire(n);
      },
      // A socket that closes under a live host means the host is unusable: restart it.
      closed: () => {
        if (this.process && this.stateValue.kind === 'ready') {
          this.options.log.warn('connection to the host closed; restarting it');
          void this.killProcess();
        }
      },
    });
  }

  get state(): HostState {
    return this.stateValue;
  }

  /** Process id of the running host (diagnostics and tests). */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** The ready line of the running host, starting it if needed. */
  ensureStarted(): Promise<ReadyLine> {
    if (this.stateValue.kind === 'ready') return Promise.resolve(this.stateValue.ready);
    if (!this.starting) {
      clearTimeout(this.restartTimer);
      this.starting = this.start().finally(() => {
        this.starting = undefined;
      });
    }
    return this.starting;
  }

  on<N extends NotificationName>(method: N, listener: (params: Notifications[N]) => void): vscode.Disposable {
    return this.onNotification((n) => {
      if (n.method === method) listener(n.params as Notifications[N]);
    });
  }

  async request<M extends MethodName>(method: M, params: ParamsOf<M>, token?: vscode.CancellationToken): Promise<ResultOf<M>> {
    await this.ensureStarted();
    return this.rpc.request(method, params, token);
  }

  /** Raw relay for the panel: forwards one JSON-RPC message and hands back the raw response. */
  async relay(message: { id: number | string; method: string; params?: unknown }): Promise<{ result?: unknown; error?: RpcErrorObject }> {
    try {
      const result = await this.request(message.method as MethodName, message.params as never);
      return { result };
    } catch (err) {
      if (err instanceof RpcError) return { error: err.toObject() };
      return { error: { code: -32603, message: err instanceof Error ? err.message : String(err) } };
    }
  }

  async restart(): Promise<ReadyLine> {
    this.crashes = 0;
    await this.stop();
    return this.ensureStarted();
  }

  async stop(): Promise<void> {
    clearTimeout(this.restartTimer);
    const child = this.process;
    this.process = undefined;
    this.rpc.close('the host was stopped');
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    this.failInFlight('the host was stopped');
    this.setState({ kind: 'stopped' });
  }

  dispose(): void {
    this.disposed = true;
    void this.stop();
    this.stateChanged.dispose();
    this.notified.dispose();
  }

  private setState(state: HostState): void {
    this.stateValue = state;
    if (!this.disposed) this.stateChanged.fire(state);
  }

  private async start(): Promise<ReadyLine> {
    this.setState({ kind: 'starting' });
    try {
      const node = findNode(this.options.config.nodePath);
      const cli = join(this.options.extensionPath, 'dist', 'cli.js');
      if (!existsSync(cli)) throw new HostUnavailableError(`The bundled host is missing: ${cli}`, 'Rebuild the extension (npm run build).');
      const ready = await this.spawnHost(node, cli, this.options.config.httpApiPort);
      await this.rpc.connect(ready);
      this.readyAt = Date.now();
      this.setState({ kind: 'ready', ready });
      this.options.log.info(`host ready: ${ready.ws.replace(/token=[^&]*/, 'token=…')}`);
      if (ready.awsProfile) {
        const message = `Lambda Workbench: functions run with the credentials of AWS profile '${ready.awsProfile}' (lambdaWorkbench.awsProfile): their AWS calls reach real AWS.`;
        this.options.log.warn(message);
        void vscode.window.showWarningMessage(message);
      }
      return ready;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.options.log.error(`host failed to start: ${message}`);
      await this.killProcess();
      this.setState({ kind: 'error', message });
      throw err;
    }
  }

  private hostArgs(cli: string, httpPort: number): string[] {
    const { config, root } = this.options;
    const args = [cli, 'serve', '--root', root, '--http-port', String(httpPort)];
    if (config.templatePath) args.push('--template', resolveIn(root, config.templatePath));
    if (config.envFile) args.push('--env-file', resolveIn(root, config.envFile));
    if (!config.schedulesEnabled) args.push('--schedules', 'off');
    return args;
  }

  /** Settings without a `serve` flag travel as environment variables (protocol/settings.ts). */
  private hostEnv(token: string): NodeJS.ProcessEnv {
    const { config } = this.options;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      // Only the setting opts in to real credentials: a profile variable the editor inherited never does.
      LAMBDA_WORKBENCH_AWS_PROFILE: undefined,
      ...serializeHostSettings({ ...config.hostSettings(), token }),
      // The host takes the region from AWS_REGION, as the AWS tools do; the setting wins when set.
      AWS_REGION: config.regionSetExplicitly || !process.env.AWS_REGION ? config.region : process.env.AWS_REGION,
    };
    // The extension host's own Electron/VS Code variables would confuse a plain node child.
    delete env.ELECTRON_RUN_AS_NODE;
    delete env.NODE_OPTIONS;
    return env;
  }

  private spawnHost(node: string, cli: string, httpPort: number): Promise<ReadyLine> {
    const token = randomBytes(24).toString('hex');
    const args = this.hostArgs(cli, httpPort);
    this.options.log.info(`starting host: ${node} ${args.join(' ')}`);
    const child = spawn(node, args, { cwd: this.options.root, env: this.hostEnv(token), stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    const log = this.options.log;
    let stderrTail = '';
    forEachLine(child.stderr!, (line) => {
      stderrTail = `${stderrTail}\n${line}`.slice(-2_000);
      log.debug(`host: ${line}`);
    });
    return new Promise<ReadyLine>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => fail(new Error(`the host printed no ready line within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      };
      forEachLine(child.stdout!, (line) => {
        if (settled) {
          log.debug(`host stdout: ${line}`);
          return;
        }
        const ready = parseReadyLine(line);
        if (!ready) return void log.debug(`host stdout: ${line}`);
        settled = true;
        clearTimeout(timer);
        resolve(ready);
      });
      child.once('error', (err) =>
        fail(new HostUnavailableError(`Could not run ${node}: ${err.message}`, 'Set lambdaWorkbench.nodePath to a Node.js 20 or newer binary.', 'setNodePath')),
      );
      child.once('exit', (code, signal) => {
        fail(new Error(`the host exited before it was ready (${signal ?? `exit code ${code}`})${stderrTail ? `: ${lastLines(stderrTail)}` : ''}`));
        if (this.process === child) this.onUnexpectedExit(code, signal);
      });
    });
  }

  private track(n: AnyNotification): void {
    if (n.method === 'invocation.started' && !isFinal(n.params)) this.inFlight.set(n.params.id, n.params);
    else if (n.method === 'invocation.finished') this.inFlight.delete(n.params.id);
  }

  /** Nothing in flight is silently lost: each record the host took down is announced as interrupted. */
  private failInFlight(reason: string): void {
    const now = Date.now();
    for (const record of this.inFlight.values()) {
      const interrupted: InvocationRecord = {
        ...record,
        status: 'interrupted',
        timestamps: { ...record.timestamps, finishedAt: now },
        logs: [...record.logs, `Lambda Workbench: invocation interrupted (${reason})`],
      };
      this.notified.fire({ method: 'invocation.finished', params: interrupted });
    }
    this.inFlight.clear();
  }

  private async killProcess(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
  }

  private onUnexpectedExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.process = undefined;
    this.rpc.close('the host was stopped');
    this.failInFlight('the host stopped');
    if (this.disposed) return;
    if (this.readyAt && Date.now() - this.readyAt > STABLE_AFTER_MS) this.crashes = 0;
    const delayMs = BACKOFF_MS[Math.min(this.crashes, BACKOFF_MS.length - 1)];
    this.crashes++;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    this.options.log.error(`host exited (${how}); restarting in ${delayMs / 1000} s`);
    this.setState({ kind: 'error', message: `host exited (${how})`, restartInMs: delayMs });
    if (!this.toldUserAboutCrash) {
      this.toldUserAboutCrash = true;
      void vscode.window
        .showWarningMessage(
          `Lambda Workbench: the runtime host stopped (${how}). It is restarted automatically; invocations in flight are marked interrupted.`,
          'Show Log',
        )
        .then((choice) => {
          if (choice === 'Show Log') this.options.log.show(true);
        });
    }
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.ensureStarted().catch(() => {
        // start() already logged and set the error state; a start failure is not a crash, so no new timer.
      });
    }, delayMs);
  }
}

function isFinal(record: InvocationRecord): boolean {
  return record.status !== 'queued' && record.status !== 'running';
}

function resolveIn(root: string, path: string): string {
  return isAbsolute(path) ? path : join(root, path);
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}

function forEachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      onLine(buffered.slice(0, nl).replace(/\r$/, ''));
      buffered = buffered.slice(nl + 1);
    }
  });
}
