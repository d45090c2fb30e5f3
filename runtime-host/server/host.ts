// The long-running host: functions (template + handler-only), the invoker, durable records, the
// WebSocket protocol, the Invoke API and every event source, wired once. `serve` is a thin CLI
// around `startHost`; `close()` stops everything and kills every environment.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { DurableExecutions, type DurableEngineOptions } from '../durable/engine';
import { AsyncInvocationQueue, type AsyncInvocationPolicy } from '../events/async-invocation';
import type { AuthorizationOptions } from '../events/http-api/authorize';
import { createEventSources, type EventSourceOptions } from '../events/index';
import { functionFromHandler } from '../functions/handler-function';
import { FunctionRegistry } from '../functions/function-registry';
import { reservedMessage, reservedNames } from '../functions/reserved-variables';
import type { EventSource, HostContext, HostLogger, MethodHandlers } from '../host-context';
import type { FunctionInfo } from '../protocol/functions';
import { BRIEF_EVENT_LIMIT_BYTES, TOKEN_QUERY_PARAM } from '../protocol/index';
import type { InvokeParams, ListInvocationsParams, Methods, NotificationName, Notifications } from '../protocol/methods';
import { MEMORY_RANGE_MB, TIMEOUT_RANGE_SECONDS } from '../protocol/limits';
import { TRIGGERS, type InvocationRecord } from '../protocol/records';
import { briefRecord, INVOCATIONS_FILE, InvalidCursorError, InvocationStore, MAX_LOOKAHEAD_PAGES } from '../records/invocation-store';
import { InvocationHub } from '../records/record-book';
import { TraceBook } from '../records/trace-book';
import { traceRootOf } from '../runtime/trace-id';
import { LambdaInvoker, toInvokeOutput, type LambdaInvokerOptions } from '../runtime/invoker';
import { LOCAL_SERVICES, resolveProfileCredentials, type AwsAccess, type LocalService } from '../runtime/aws-environment';
import { defaultRuntimeSdkFolder, installedRuntimeSdk, installRuntimeSdk } from '../runtime/runtime-sdk';
import { UserError } from '../runtime/types';
import { createTuneMethod } from '../tuning/tune-method';
import { handleDashboardRequest } from './dashboard';
import { AwsEndpoint } from './aws-endpoint';
import { InvokeApiServer } from './invoke-api';
import { invalidParams, JsonRpcDispatcher } from './json-rpc';
import { StateLock } from './state-lock';
import { WsServer } from './ws-server';
import { isRecord } from '../util/values';
import { DurableApiError } from '../durable/model';

export const STATE_DIR_NAME = '.lambda-workbench';
export const HOST_FILE = 'host.json';

export interface HostOptions {
  root: string;
  templatePath?: string;
  envFiles?: string[];
  /** Local folders for layer ARNs the template names (`--layer ARN=DIR`). */
  layerFolders?: Record<string, string>;
  /**
   * The runtime's AWS SDK for Node functions: `auto` (default) uses the machine's cache folder, installing it
   * once in the background; `off` gives functions none; a path is a folder whose node_modules holds it.
   */
  runtimeSdk?: 'auto' | 'off' | { folder: string };
  /** How the local API Gateway checks JWTs and AWS_IAM routes (`--jwks`, `--skip-jwt-signature`, `--iam-auth`). */
  authorization?: AuthorizationOptions;
  /** `serve --schedules off`: the template's schedules fire only when fired by hand. */
  schedulesPaused?: boolean;
  /** Default `<root>/.lambda-workbench`. */
  stateDir?: string;
  wsPort?: number;
  invokePort?: number;
  /** Port of the local AWS endpoint (0 or absent: a free one). */
  awsPort?: number;
  /** Session token; default 32 random bytes (hex). */
  token?: string;
  maxRecords?: number;
  /** History kept, in MB of records (oldest dropped first). */
  maxHistoryMB?: number;
  region?: string;
  accountId?: string;
  /** Watch template, env files and code (default true). */
  watch?: boolean;
  log: HostLogger;
  invoker?: LambdaInvokerOptions;
  /** Memory and timeout of functions invoked by bare handler string when the request gives none. */
  handlerDefaults?: { memory?: number; timeout?: number };
  asyncPolicy?: Partial<AsyncInvocationPolicy>;
  /** Options of the default event sources (ignored when `eventSources` is given). */
  sourceOptions?: EventSourceOptions;
  /** Default: createEventSources(sourceOptions). */
  eventSources?: EventSource[];
  /** Write `<stateDir>/host.json` so CLI commands find this host (default true). */
  writeHostFile?: boolean;
  /** Host names every listener accepts besides 127.0.0.1, localhost and [::1] (`--allow-host`). */
  allowedHosts?: readonly string[];
  /** Give functions this AWS profile's credentials instead of placeholders (`--aws-profile`); resolved once, here. */
  awsProfile?: string;
  /** Where profiles are read from (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, HOME); default process.env. */
  awsProfileEnv?: NodeJS.ProcessEnv;
  /** With a profile, calls go to real AWS except to these services, which stay on the local endpoint. */
  localServices?: readonly LocalService[];
  /** Durable executions: skip every wait (`durableSkipWaits`), and for tests a clock and the invocation retry delays. */
  durable?: Pick<DurableEngineOptions, 'skipWaits' | 'clock' | 'invocationRetryDelaysMs'>;
}

export interface RunningHost {
  context: HostContext;
  registry: FunctionRegistry;
  store: InvocationStore;
  ws: string;
  token: string;
  invokeApi: string;
  /** The local AWS endpoint (`http://127.0.0.1:<port>`), what functions get as AWS_ENDPOINT_URL. */
  awsEndpoint: string;
  dashboard?: string;
  /** Extra ready-line keys from the event sources. */
  readyInfo: Record<string, string>;
  /** The profile whose credentials functions get, when one was asked for. */
  awsProfile?: string;
  close(): Promise<void>;
}

function objectParams(params: unknown, method: string, example: string): Record<string, unknown> {
  if (params === undefined || params === null) return {};
  if (!isRecord(params)) throw invalidParams('Invalid params', `${method} takes an object, e.g. ${example}`);
  return params;
}

function optionalString(p: Record<string, unknown>, key: string, method: string): string | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalidParams('Invalid params', `${method}: "${key}" must be a string`);
  return v;
}

function requiredString(p: Record<string, unknown>, key: string, method: string, example: string): string {
  const v = optionalString(p, key, method);
  if (v === undefined || v === '') throw invalidParams('Invalid params', `${method} needs "${key}", e.g. ${example}`);
  return v;
}

function optionalInteger(p: Record<string, unknown>, key: string, method: string, min: number, max: number): number | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalidParams('Invalid params', `${method}: "${key}" must be a whole number from ${min} to ${max}`);
  }
  return v;
}

/** A notification as brief clients get it (protocol BRIEF_RECORDS_QUERY): a record's large event as its preview. */
function briefNotification<N extends NotificationName>(method: N, params: Notifications[N]): Notifications[N] {
  if (method !== 'invocation.started' && method !== 'invocation.finished') return params;
  return briefRecord(params as InvocationRecord, BRIEF_EVENT_LIMIT_BYTES) as Notifications[N];
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const log = options.log;
  const root = resolve(options.root);
  if (!existsSync(root)) throw new UserError(`root folder not found: ${options.root}`, 'pass --root with the project folder');
  const stateDir = options.stateDir ? resolve(root, options.stateDir) : join(root, STATE_DIR_NAME);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  // Events, results and logs may hold secrets: the folder and the history are the user's only.
  chmodSync(stateDir, 0o700);
  const history = join(stateDir, INVOCATIONS_FILE);
  if (existsSync(history)) chmodSync(history, 0o600);
  const lock = StateLock.acquire(stateDir);
  const releaseLock = () => lock.release();
  // A start that fails before close() exists still leaves the folder free for the next host.
  process.once('exit', releaseLock);
  // The state folder ignores itself, so it never shows up in git status.
  const ignore = join(stateDir, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '*\n');
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const token = options.token ?? randomBytes(32).toString('hex');
  let aws: AwsAccess;
  try {
    aws = options.awsProfile ? { profile: resolveProfileCredentials(options.awsProfile, options.awsProfileEnv) } : {};
    // A profile is the opt-in to real AWS: each service goes there unless the user keeps it local.
    if (aws.profile) aws.services = Object.fromEntries(LOCAL_SERVICES.map((s) => [s, options.localServices?.includes(s) ? 'local' : 'aws']));
  } catch (err) {
    lock.release();
    process.off('exit', releaseLock);
    throw err;
  }
  if (aws.profile) {
    log.warn(
      `functions get the credentials of AWS profile '${aws.profile.profile}' (from ${aws.profile.source}): ${
        options.localServices?.length
          ? `their AWS calls reach real AWS as that profile, except ${options.localServices.join(', ')}, which stay on the local endpoint`
          : 'their AWS calls reach real AWS as that profile'
      }`,
    );
  }
  const allowedHosts = options.allowedHosts ?? [];

  const registry = new FunctionRegistry({
    root,
    stateDir,
    ...(options.templatePath ? { templatePath: options.templatePath } : {}),
    ...(options.envFiles ? { envFiles: options.envFiles } : {}),
    ...(options.layerFolders ? { layerFolders: options.layerFolders } : {}),
    region,
    accountId,
    watch: options.watch ?? true,
    log,
  });
  const store = new InvocationStore({
    stateDir,
    ...(options.maxRecords ? { maxRecords: options.maxRecords } : {}),
    ...(options.maxHistoryMB ? { maxBytes: options.maxHistoryMB * 1024 * 1024 } : {}),
    onWarning: (m) => log.warn(m),
    // The newest records are loaded now; the rest of a long history once start-up is over (below).
    deferBackgroundLoad: true,
  });
  const invoker = new LambdaInvoker({ region, accountId, stateDir, hostLog: (level, message) => log[level](message), aws, ...(options.invoker ?? {}) });
  registry.attach(invoker);
  const sdkInstall = provideRuntimeSdk(options.runtimeSdk ?? 'auto', invoker, log);
  const hub = new InvocationHub(store);
  hub.attach(invoker);
  const traces = new TraceBook({ records: hub, store, notify: (method, params) => wsServer.broadcast(method, params) });
  traces.attach(invoker);
  const context: HostContext = { root, stateDir, region, accountId, functions: registry, invoker, records: hub, log, serviceCalls: traces, allowedHosts, aws };
  // The host context itself: the queues, topics and buses the sources add to it when they start are where destinations go.
  const asyncQueue = new AsyncInvocationQueue(context, options.asyncPolicy ?? {});
  const durable = new DurableExecutions({
    functions: registry,
    invoker,
    records: hub,
    region,
    accountId,
    stateDir,
    log,
    ...(options.durable ?? {}),
    notify: (summary) => wsServer.broadcast('durable.changed', summary),
  });

  const dispatcher = new JsonRpcDispatcher(log);
  const handlers = {
    ...coreMethods(context, registry, store, invoker, traces, options.handlerDefaults ?? {}, durable, (target) =>
      wsServer.broadcast('debug.environmentStarted', target),
    ),
    ...durable.methods(),
  };
  invoker.on('debugEnvironmentEnded', (ended) => wsServer.broadcast('debug.environmentEnded', ended));
  const tuner = createTuneMethod({
    resolveFunction: (params) => functionResolver(context, registry, options.handlerDefaults ?? {})(params, 'tune'),
    createInvoker: () => new LambdaInvoker({ region, accountId, stateDir, hostLog: (level, message) => log[level](message), ...(options.invoker ?? {}) }),
    billingRule: options.invoker?.billingRule ?? 'per-ms-with-init',
    notify: (method, params) => wsServer.broadcast(method, params),
  });
  handlers.tune = (params) => tuner.run(params);
  handlers['tune.last'] = async () => tuner.last();
  handlers['tune.cancel'] = async () => ({ cancelled: await tuner.stop() });
  for (const [name, handler] of Object.entries(handlers)) dispatcher.register(name, handler as (p: unknown) => Promise<unknown>);

  const wsServer = new WsServer({
    token,
    dispatcher,
    ...(options.wsPort !== undefined ? { port: options.wsPort } : {}),
    log,
    http: (req, res) => handleDashboardRequest(req, res, { token, allowedHosts }),
    allowedHosts,
    brief: briefNotification,
  });
  const invokeApi = new InvokeApiServer({
    functions: registry,
    invoker,
    asyncQueue,
    durable,
    region,
    accountId,
    ...(options.invokePort !== undefined ? { port: options.invokePort } : {}),
    log,
    allowedHosts,
  });

  const awsEndpoint = new AwsEndpoint({
    handlers: [invokeApi.awsService()],
    region,
    ...(options.awsPort !== undefined ? { port: options.awsPort } : {}),
    log,
    allowedHosts,
    serviceCalls: () => context.serviceCalls,
  });

  const sources =
    options.eventSources ??
    createEventSources({
      ...(options.sourceOptions ?? {}),
      ...(options.authorization ? { authorization: options.authorization } : {}),
      schedulesPaused: options.schedulesPaused === true,
    });
  const started: EventSource[] = [];
  let hostFile: string | undefined;
  const unsubscribes: (() => void)[] = [];
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    for (const u of unsubscribes) u();
    registry.close();
    // Before the invoker goes: invocations it interrupts are left for the next start to resume.
    await durable.close();
    await Promise.allSettled([wsServer.close(), invokeApi.close(), awsEndpoint.close()]);
    for (const s of started.reverse()) {
      await s.stop().catch((err: unknown) => log.error(`stopping ${s.name}: ${(err as Error).message}`));
    }
    await asyncQueue.stop();
    await sdkInstall;
    await tuner.stop();
    await invoker.shutdown();
    hub.dispose();
    traces.dispose();
    await store.close();
    removeHostFile();
    process.off('exit', removeHostFile);
  };
  // Also on an abrupt exit (an uncaught error), so `stream put` does not find a dead host, nor `serve` a held lock.
  const removeHostFile = () => {
    if (hostFile) rmSync(hostFile, { force: true });
    releaseLock();
  };
  process.off('exit', releaseLock);
  process.once('exit', removeHostFile);

  try {
    await wsServer.listen();
    await invokeApi.listen();
    await awsEndpoint.listen();
    // Before any source starts: the first environment launched already gets the endpoint.
    context.awsEndpoint = awsEndpoint.url;
    aws.endpointUrl ??= awsEndpoint.url;
    unsubscribes.push(hub.subscribe((method, params) => wsServer.broadcast(method, params)));
    unsubscribes.push(registry.onDidChange((functions) => wsServer.broadcast('functions.changed', { functions })));
    for (const source of sources) {
      await source.start(context);
      started.push(source);
      const service = source.awsService?.();
      if (service) awsEndpoint.register(service);
      const methods: MethodHandlers = source.methods?.() ?? {};
      for (const [name, handler] of Object.entries(methods)) {
        if (dispatcher.has(name)) log.warn(`event source ${source.name} redefines method ${name}`);
        dispatcher.register(name, handler as (p: unknown) => Promise<unknown>);
      }
    }
    // The local AWS endpoint, when a source started one, is where functions' SDK calls go.
    if (context.awsEndpoint !== undefined && aws.endpointUrl === undefined) aws.endpointUrl = context.awsEndpoint;
    // Executions a previous host left running carry on (their functions now reach this endpoint).
    await durable.start();
    // Provisioned concurrency starts initialising now and follows template changes; serve is ready
    // meanwhile (invocations before it is up spill over to on-demand environments, as on Lambda).
    const provisionAll = (functions: FunctionInfo[]) => {
      for (const fn of functions) {
        if (!fn.supported) continue;
        invoker.provision(fn, fn.provisionedConcurrency ?? 0).then(
          (records) => {
            const failed = records.filter((r) => r.status !== 'success');
            if (failed.length)
              log.warn(`${fn.name}: ${failed.length} provisioned environment(s) failed to initialise: ${failed[0]!.error?.errorType ?? failed[0]!.status}`);
          },
          (err: unknown) => log.error(`${fn.name}: provisioned concurrency: ${err instanceof Error ? err.message : String(err)}`),
        );
      }
    };
    provisionAll(registry.list());
    unsubscribes.push(registry.onDidChange(provisionAll));
    const dashboard = `${wsServer.httpUrl}/?${TOKEN_QUERY_PARAM}=${token}`;
    const readyInfo: Record<string, string> = {};
    for (const source of started) Object.assign(readyInfo, source.readyInfo?.() ?? {});
    if (options.writeHostFile ?? true) {
      hostFile = join(stateDir, HOST_FILE);
      rmSync(hostFile, { force: true });
      writeFileSync(hostFile, JSON.stringify({ ws: wsServer.url, token, invokeApi: invokeApi.url, awsEndpoint: awsEndpoint.url, pid: process.pid }) + '\n', {
        mode: 0o600,
      });
    }
    lock.update(wsServer.url);
    // After the caller's ready line (it is written in the same turn this resolves in): the older part
    // of the history loads in slices that would otherwise share the event loop with start-up.
    setImmediate(() => store.loadInBackground());
    return {
      context,
      registry,
      store,
      ws: wsServer.url,
      token,
      invokeApi: invokeApi.url,
      awsEndpoint: awsEndpoint.url,
      dashboard,
      readyInfo,
      ...(aws.profile ? { awsProfile: aws.profile.profile } : {}),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Makes the runtime's SDK available to Node environments: now when it is there, else after a background install. */
function provideRuntimeSdk(choice: NonNullable<HostOptions['runtimeSdk']>, invoker: LambdaInvoker, log: HostLogger): Promise<void> {
  if (choice === 'off') return Promise.resolve();
  const folder = choice === 'auto' ? defaultRuntimeSdkFolder() : choice.folder;
  const installed = installedRuntimeSdk(folder);
  if (installed) {
    invoker.useRuntimeSdk(installed);
    return Promise.resolve();
  }
  if (choice !== 'auto') {
    log.warn(`--runtime-sdk ${folder}: no AWS SDK for JavaScript v3 there (expected node_modules/@aws-sdk/client-*); functions run without the runtime's SDK`);
    return Promise.resolve();
  }
  return installRuntimeSdk(folder, log).then((modules) => {
    if (modules) invoker.useRuntimeSdk(modules);
  });
}

/** Turns `function` or `handler` + `root` params (invoke, debug.prepare, tune) into the function to run, with overrides applied. */
function functionResolver(
  context: HostContext,
  registry: FunctionRegistry,
  handlerDefaults: NonNullable<HostOptions['handlerDefaults']>,
): (params: InvokeParams, method: string) => FunctionInfo {
  return (params: InvokeParams, method: string): FunctionInfo => {
    const p = objectParams(params, method, '{"function":"HelloFunction","event":{}}');
    const name = optionalString(p, 'function', method);
    const handler = optionalString(p, 'handler', method);
    const memory = optionalInteger(p, 'memory', method, ...MEMORY_RANGE_MB);
    const timeout = optionalInteger(p, 'timeout', method, ...TIMEOUT_RANGE_SECONDS);
    const handlerMemory = memory ?? handlerDefaults.memory;
    const handlerTimeout = timeout ?? handlerDefaults.timeout;
    if (p.env !== undefined && (!isRecord(p.env) || Object.values(p.env).some((v) => typeof v !== 'string'))) {
      throw invalidParams('Invalid params', `${method}: "env" must be an object of string values`);
    }
    const env = p.env as Record<string, string> | undefined;
    const reserved = env ? reservedNames(env) : [];
    if (reserved.length > 0) throw invalidParams('Invalid params', `${method}: ${reservedMessage(reserved, '"env"')}`);
    if (p.trigger !== undefined && !(TRIGGERS as readonly unknown[]).includes(p.trigger)) {
      throw invalidParams('Invalid params', `${method}: "trigger" must be one of ${TRIGGERS.join(', ')}`);
    }
    if (p.debug !== undefined && typeof p.debug !== 'boolean') throw invalidParams('Invalid params', `${method}: "debug" must be true or false`);
    if (name !== undefined) {
      const fn = registry.get(name);
      if (!fn) {
        const known = registry.list().map((f) => f.name);
        throw new UserError(
          `function '${name}' not found`,
          known.length ? `known functions: ${known.join(', ')}` : 'the host has no functions: add a template.yaml or invoke with {"handler", "root"}',
          'ResourceNotFound',
        );
      }
      if (!fn.supported)
        throw new UserError(
          `function '${name}' cannot run locally: ${fn.unsupportedReason ?? 'unsupported'}`,
          'see the function in listFunctions for the reason',
        );
      return {
        ...fn,
        ...(memory !== undefined ? { memorySizeMB: memory } : {}),
        ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
        ...(env ? { environment: { ...fn.environment, ...env } } : {}),
      };
    }
    if (handler === undefined) throw invalidParams('Invalid params', `${method} needs "function" (a name from listFunctions) or "handler" (+ optional "root")`);
    const rootParam = optionalString(p, 'root', method) ?? '.';
    const taskRoot = resolve(context.root, rootParam);
    const rel = relative(context.root, taskRoot);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw new UserError(`root '${rootParam}' is outside the project`, `give a folder inside ${context.root}`);
    }
    return registry.register(
      functionFromHandler({
        handler,
        root: taskRoot,
        ...(handlerMemory !== undefined ? { memory: handlerMemory } : {}),
        ...(handlerTimeout !== undefined ? { timeout: handlerTimeout } : {}),
        ...(env ? { env } : {}),
      }),
    );
  };
}

/**
 * `invoke` of a durable function: a new execution (the panel's Run and Debug, `durableExecutionName` to
 * name it), answered with its first invocation — usually PENDING, the execution carrying on.
 */
async function invokeDurable(durable: DurableExecutions, fn: FunctionInfo, params: InvokeParams): Promise<Methods['invoke']['result']> {
  const name = params.durableExecutionName;
  if (name !== undefined && typeof name !== 'string') throw invalidParams('Invalid params', 'invoke: "durableExecutionName" must be a string');
  let started;
  try {
    started = await durable.startExecution({
      fn,
      qualifier: '$LATEST',
      ...(name ? { name } : {}),
      input: JSON.stringify(params.event === undefined ? {} : params.event) ?? '{}',
      trigger: params.trigger ?? (params.debug ? 'debug' : 'manual'),
      ...(params.debug ? { debug: true } : {}),
    });
  } catch (err) {
    if (err instanceof DurableApiError)
      throw new UserError(
        err.message,
        'durable execution names are unique per function until their retention ends',
        err.status === 409 ? 'InvalidParameter' : undefined,
      );
    throw err;
  }
  const record = await started.firstInvocation;
  if (!record) throw new UserError(`durable execution ${started.summary.name} did not run`, 'the host is stopping');
  return toInvokeOutput(record);
}

/** The protocol methods the host itself implements (event sources add theirs). */
function coreMethods(
  context: HostContext,
  registry: FunctionRegistry,
  store: InvocationStore,
  invoker: LambdaInvoker,
  traces: TraceBook,
  handlerDefaults: NonNullable<HostOptions['handlerDefaults']>,
  durable: DurableExecutions,
  debugStarted: (target: Methods['debug.prepare']['result']) => void,
): MethodHandlers {
  const resolveFunction = functionResolver(context, registry, handlerDefaults);

  return {
    listFunctions: async () => registry.list(),
    listProblems: async () => registry.problems(),
    invoke: async (params) => {
      const fn = resolveFunction(params, 'invoke');
      if (durable.isDurable(fn)) return invokeDurable(durable, fn, params);
      const record = await invoker.invoke({
        fn,
        event: params.event === undefined ? {} : params.event,
        trigger: params.trigger ?? (params.debug ? 'debug' : 'manual'),
        ...(params.debug ? { debug: true } : {}),
      });
      return toInvokeOutput(record);
    },
    listInvocations: async (params) => {
      const p = objectParams(params, 'listInvocations', '{"function":"HelloFunction","limit":50}') as ListInvocationsParams & Record<string, unknown>;
      const fnName = optionalString(p, 'function', 'listInvocations');
      const cursor = optionalString(p, 'cursor', 'listInvocations');
      const parentId = optionalString(p, 'parentId', 'listInvocations');
      const limit = optionalInteger(p, 'limit', 'listInvocations', 1, 500);
      const lookahead = optionalInteger(p, 'lookahead', 'listInvocations', 0, MAX_LOOKAHEAD_PAGES);
      if (p.brief !== undefined && typeof p.brief !== 'boolean') throw invalidParams('Invalid params', 'listInvocations: "brief" must be true or false');
      try {
        // Awaited here: a bad cursor rejects, and is answered as invalid params below.
        const page = await store.page({
          ...(fnName !== undefined ? { function: fnName } : {}),
          ...(cursor !== undefined ? { cursor } : {}),
          ...(parentId !== undefined ? { parentId } : {}),
          ...(limit !== undefined ? { limit } : {}),
          ...(lookahead !== undefined ? { lookahead } : {}),
        });
        return p.brief ? { ...page, records: page.records.map((r) => briefRecord(r, BRIEF_EVENT_LIMIT_BYTES)) } : page;
      } catch (err) {
        if (err instanceof InvalidCursorError) throw invalidParams('Invalid params', `listInvocations: ${err.message}; pass the nextCursor of a previous page`);
        throw err;
      }
    },
    getInvocation: async (params) => {
      const id = requiredString(objectParams(params, 'getInvocation', '{"id":"<record id>"}'), 'id', 'getInvocation', '{"id":"<record id>"}');
      const record = await store.lookup(id);
      if (!record)
        throw new UserError(
          `invocation '${id}' not found`,
          'ids come from listInvocations or invocation.* notifications; old records are dropped by retention',
          'ResourceNotFound',
        );
      return record;
    },
    getTrace: async (params) => {
      const example = '{"traceId":"1-67a1b2c3-0123456789abcdef01234567"}';
      const given = requiredString(objectParams(params, 'getTrace', example), 'traceId', 'getTrace', example);
      const traceId = traceRootOf(given);
      if (!traceId)
        throw invalidParams(
          'Invalid params',
          `getTrace: "traceId" must be a trace root like 1-67a1b2c3-0123456789abcdef01234567 (or a whole X-Amzn-Trace-Id header)`,
        );
      const records = await traces.trace(traceId);
      if (records.length === 0) {
        throw new UserError(`trace '${traceId}' not found`, "trace ids come from a record's traceId; old records are dropped by retention", 'ResourceNotFound');
      }
      return { traceId, records };
    },
    cancelInvocation: async (params) => {
      const id = requiredString(objectParams(params, 'cancelInvocation', '{"id":"<record id>"}'), 'id', 'cancelInvocation', '{"id":"<record id>"}');
      return { cancelled: invoker.cancel(id) };
    },
    'debug.prepare': async (params) => {
      const fn = resolveFunction(params, 'debug.prepare');
      const target = { ...(await invoker.prepareDebug(fn)), invocationId: '' };
      debugStarted(target);
      return target;
    },
    'debug.paused': async (params) => {
      const environmentId = requiredString(
        objectParams(params, 'debug.paused', '{"environmentId":"…"}'),
        'environmentId',
        'debug.paused',
        '{"environmentId":"…"}',
      );
      invoker.debuggerPaused(environmentId);
      return { ok: true as const };
    },
    'debug.resumed': async (params) => {
      const environmentId = requiredString(
        objectParams(params, 'debug.resumed', '{"environmentId":"…"}'),
        'environmentId',
        'debug.resumed',
        '{"environmentId":"…"}',
      );
      invoker.debuggerResumed(environmentId);
      return { ok: true as const };
    },
  };
}
