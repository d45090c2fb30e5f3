// JSON-RPC 2.0 methods and notifications between the host and its clients (extension, panel, tools).
// Declared once here; both sides import these types. Add a method by adding it to `Methods`.
import type { EventCheck, ResponseUnderTest } from './event-tests';
import type { FunctionInfo, TemplateProblem } from './functions';
import type { DurableCallbackParams, DurableExecutionSummary, DurableExecutionView } from './durable';
import type { InvocationRecord, InvokeOutput, ServiceCallSpan, Trigger } from './records';
import type { TuneFinished, TuneParams, TuneProgress, TuneResult } from './tune';

export interface InvokeParams {
  /** A function known to the host (template logical id or registered name)… */
  function?: string;
  /** …or a bare handler string relative to `root`. */
  handler?: string;
  root?: string;
  event?: unknown;
  memory?: number;
  timeout?: number;
  env?: Record<string, string>;
  /** Defaults to 'manual'. */
  trigger?: Trigger;
  /** Start the environment with the inspector (debug sessions). */
  debug?: boolean;
  /** Durable functions: the execution's name (an idempotency key, as Invoke's DurableExecutionName); generated when absent. */
  durableExecutionName?: string;
}

export interface ListInvocationsParams {
  function?: string;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  /** Page size, default 50, max 500. */
  limit?: number;
  /** Include child records only when asked; default: all records. */
  parentId?: string;
  /**
   * Also return the cursors of up to this many following pages of the same size (max 100), so a client
   * can ask for them all at once instead of one round trip after another.
   */
  lookahead?: number;
  /** Brief records (protocol/index.ts BRIEF_RECORDS_QUERY): a large event as its preview, the record whole from `getInvocation`. */
  brief?: boolean;
}

export interface ListInvocationsResult {
  records: InvocationRecord[];
  /** Present when there are older records. */
  nextCursor?: string;
  /**
   * When `lookahead` was asked for and the host knows them: the cursors of the following pages that hold
   * records, in order (the first is `nextCursor`). Fewer than asked (or absent) near the end of the
   * history, or while the host is still loading an older history it has not placed yet.
   */
  followingCursors?: string[];
}

export interface TraceResult {
  /** The trace root, `1-xxxxxxxx-…`. */
  traceId: string;
  records: InvocationRecord[];
}

export interface SavedEventInfo {
  function: string;
  name: string;
  /** Workspace-relative path of the JSON file. */
  path: string;
  /** Present when the file is not valid JSON: the parser's message. */
  error?: string;
}

export interface EventTemplateParam {
  name: string;
  description: string;
  default: string;
  /** Rarely changed (region, account id…): pickers may leave it out of what they ask, and it keeps its default unless given. */
  advanced?: boolean;
}

export interface EventTemplateInfo {
  /** e.g. `s3-put`, `apigateway-rest`, `sns`. */
  name: string;
  /** Group shown in the picker, e.g. `S3`, `API Gateway`. */
  source: string;
  description: string;
  params: EventTemplateParam[];
}

/**
 * An event the function's own trigger would send, derived from the template: a route of its API (asking
 * only for the path parameters), a put to its bucket with a key its filters let through, a message on its
 * queue or topic, a record on its stream or table, its schedule firing.
 */
export interface TriggerEventInfo {
  /** What `events.generateForFunction` takes, stable while the template says the same, e.g. `HttpApi GET /hello/{name}`. */
  id: string;
  /** e.g. `GET /hello/{name} (HttpApi)`, `Put object to photos (S3)`. */
  label: string;
  /** The template's event type: `HttpApi`, `Api`, `FunctionUrl`, `S3`, `SQS`, `SNS`, `Kinesis`, `DynamoDB`, `Schedule`. */
  source: string;
  /** What the event is made of, e.g. `Upload · ObjectCreated:Put · prefix uploads/ · suffix .jpg`. */
  description: string;
  /** Only what is the user's to choose (a path parameter, an object key, a message body), defaults filled in. */
  params: EventTemplateParam[];
  /** A file name (without `.json`) for a saved copy, e.g. `get-hello-name`. */
  suggestedName: string;
}

/** A JSON event file outside `events/<Function>/`: `events/*.json` of the project, or `events/*.json` in the function's CodeUri. */
export interface EventFileInfo {
  /** The file name without `.json`. */
  name: string;
  /** Project-relative path, what `events.getFile` takes. */
  path: string;
  /** Present when the file is not valid JSON: the parser's message. */
  error?: string;
}

/** Everything the event picker offers a function, in the order it offers them. */
export interface FunctionEvents {
  triggers: TriggerEventInfo[];
  /** `events/<Function>/*.json`. */
  saved: SavedEventInfo[];
  files: EventFileInfo[];
}

/**
 * How a debugger reaches an environment: the Node inspector (VS Code's JavaScript debugger attaches), or a
 * debug adapter listening in the environment that VS Code connects to over DAP — debugpy (Python), Delve's
 * headless server (Go, `dlv exec --headless`), the debug gem's `rdbg` server (Ruby) — or the JVM's JDWP agent
 * (Java), which VS Code's Debugger for Java attaches to.
 */
export type DebugTargetKind = 'node-inspector' | 'debugpy' | 'delve' | 'rdbg' | 'jdwp';

export interface DebugTarget {
  /** Inspector or debug adapter host and port. */
  host: string;
  port: number;
  kind: DebugTargetKind;
  /** The record id of the invocation waiting on this debug target. */
  invocationId: string;
  /** Environment id, stable while the environment lives. */
  environmentId: string;
}

export interface DebugEnvironmentEnded {
  environmentId: string;
  functionName: string;
  replaced: boolean;
}

/** A DynamoDB attribute value in the stream's typed form, e.g. `{"N": "101"}`. */
export type DynamoDbAttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { L: DynamoDbAttributeValue[] }
  | { M: Record<string, DynamoDbAttributeValue> };

/** One item change on a DynamoDB stream (the table write that produced it). */
export interface DynamoDbChangeInput {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  Keys: Record<string, DynamoDbAttributeValue>;
  NewImage?: Record<string, DynamoDbAttributeValue>;
  OldImage?: Record<string, DynamoDbAttributeValue>;
  /** Set on the REMOVE records of items Time to Live deleted. */
  userIdentity?: { type: 'Service'; principalId: 'dynamodb.amazonaws.com' };
}

/**
 * A record for `stream.putRecords`. Kinesis: `data` is UTF-8 text, or base64 bytes with
 * `dataBase64`. DynamoDB streams: a `dynamodb` change, or `data` holding that change as JSON
 * (`partitionKey` is then ignored: the item's Keys pick the shard).
 */
export type StreamRecordInput =
  { partitionKey: string; data: string; dataBase64?: boolean; explicitHashKey?: string } | { dynamodb: DynamoDbChangeInput; partitionKey?: string };

/** What Lambda sends to a stream mapping's on-failure destination (KinesisBatchInfo / DDBStreamBatchInfo), plus where it came from. */
export interface StreamFailureInfo {
  function: string;
  stream: string;
  /** The mapping's DestinationConfig.OnFailure.Destination, or null when none is configured (then Lambda just drops the batch). */
  destination: string | null;
  record: {
    requestContext: { requestId: string; functionArn: string; condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded'; approximateInvokeCount: number };
    responseContext: { statusCode: number; executedVersion: string; functionError?: string };
    version: '1.0';
    timestamp: string;
    KinesisBatchInfo?: StreamBatchInfo;
    DDBStreamBatchInfo?: StreamBatchInfo;
  };
}

export interface StreamBatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  approximateArrivalOfFirstRecord: string;
  approximateArrivalOfLastRecord: string;
  batchSize: number;
  streamArn: string;
}

/** A message for `sqs.send` (`lambda-workbench sqs send`). `queue` is a name, an ARN or a queue URL. */
export interface SqsSendParams {
  queue: string;
  body: string;
  /** FIFO queues: required. */
  groupId?: string;
  /** FIFO queues without ContentBasedDeduplication: required. */
  deduplicationId?: string;
  delaySeconds?: number;
  /** As SQS's JSON protocol spells them: `{DataType: 'String' | 'Number' | 'Binary', StringValue | BinaryValue (base64)}`. */
  messageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
}

export interface SqsSendResult {
  messageId: string;
  md5OfBody: string;
  sequenceNumber?: string;
  /** FIFO: the deduplication id was seen in the last five minutes, nothing new was queued. */
  duplicate?: boolean;
}

/** A schedule that starts a function: a SAM `Schedule`/`ScheduleV2` event, an `AWS::Events::Rule` or an `AWS::Scheduler::Schedule`. */
export interface ScheduleInfo {
  /** The rule's or schedule's name, what `schedule.fire` takes. */
  name: string;
  /** The function it targets. */
  function: string;
  /** `rate(…)` or `cron(…)`. */
  expression: string;
  /** IANA zone the cron fields are read in (Scheduler); absent means UTC. */
  timeZone?: string;
  /** `rule` (EventBridge rule, source aws.events) or `scheduler` (EventBridge Scheduler, source aws.scheduler). */
  service: 'rule' | 'scheduler';
  /** false for `Enabled: false` / `State: DISABLED`: it never fires by itself, and "fire now" still works. */
  enabled: boolean;
  /** ISO time of the next firing; absent when disabled, paused, finished or invalid. */
  nextFireTime?: string;
  /** Why it cannot fire (an invalid expression or time zone). */
  problem?: string;
}

export interface SqsQueueInfo {
  name: string;
  url: string;
  arn: string;
  fifo: boolean;
  /** Messages that can be received now. */
  visible: number;
  /** Received and not yet deleted, hidden for their visibility timeout. */
  inFlight: number;
  /** Sent with a delay that has not passed yet. */
  delayed: number;
  /** Functions whose SQS event polls this queue. */
  functions: string[];
  /** The dead-letter queue's name, from the redrive policy. */
  deadLetterQueue?: string;
  maxReceiveCount?: number;
}

/** A DynamoDB item in DynamoDB's typed JSON, e.g. `{"id": {"S": "a"}, "n": {"N": "1"}}`. */
export type DynamoDbItem = Record<string, DynamoDbAttributeValue>;

/** A table of the local DynamoDB (the template's and those created through the API). */
export interface DynamoDbTableInfo {
  name: string;
  arn: string;
  /** Counted exactly (a scan), not DynamoDB's six-hourly estimate. */
  itemCount: number;
  keySchema: { name: string; keyType: 'HASH' | 'RANGE'; type: 'S' | 'N' | 'B' }[];
  /** Present when the table has a stream. */
  streamViewType?: 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';
  streamArn?: string;
  /** The Time to Live attribute, when TTL is enabled. */
  ttlAttribute?: string;
}

/** The method table: name → params and result. */
export interface Methods {
  listFunctions: { params: Record<string, never> | undefined; result: FunctionInfo[] };
  /** The template's problems at its lines (mistakes, and what is not emulated), for VS Code's Problems panel. */
  listProblems: { params: Record<string, never> | undefined; result: TemplateProblem[] };
  invoke: { params: InvokeParams; result: InvokeOutput };
  listInvocations: { params: ListInvocationsParams | undefined; result: ListInvocationsResult };
  getInvocation: { params: { id: string }; result: InvocationRecord };
  cancelInvocation: { params: { id: string }; result: { cancelled: boolean } };
  /** Every record of one trace (a root `1-…` or a whole `X-Amzn-Trace-Id` header), oldest first; spans are in each record's `serviceCalls`. */
  getTrace: { params: { traceId: string }; result: TraceResult };

  'events.listTemplates': { params: Record<string, never> | undefined; result: EventTemplateInfo[] };
  'events.generate': { params: { template: string; params?: Record<string, string> }; result: unknown };
  'events.listSaved': { params: { function?: string }; result: SavedEventInfo[] };
  'events.getSaved': { params: { function: string; name: string }; result: unknown };
  'events.save': { params: { function: string; name: string; event: unknown }; result: SavedEventInfo };
  'events.rename': { params: { function: string; name: string; newName: string }; result: SavedEventInfo };
  'events.delete': { params: { function: string; name: string }; result: { deleted: boolean } };
  /** The events a function's triggers produce, its saved events and the project's other event files. `root`: a handler-only function's task root. */
  'events.forFunction': { params: { function: string; root?: string }; result: FunctionEvents };
  /** A fresh event for one of `events.forFunction`'s triggers; params not given keep their defaults. */
  'events.generateForFunction': { params: { function: string; trigger: string; params?: Record<string, string> }; result: unknown };
  /** An event file inside the project (a path from `events.forFunction`'s `files`), parsed. */
  'events.getFile': { params: { path: string }; result: unknown };
  /** Judges a response to a saved event against `events/<Fn>/<name>.expected.json` (protocol/event-tests.ts). */
  'events.check': { params: { function: string; name: string; response: ResponseUnderTest }; result: EventCheck };
  /** Writes `events/<Fn>/<name>.expected.json` from a response, keeping its `$ignore` list. */
  'events.acceptExpected': { params: { function: string; name: string; response: ResponseUnderTest }; result: { path: string } };

  's3.putObject': { params: { bucket: string; key: string; body: string; bodyBase64?: boolean }; result: { eTag: string; size: number } };
  's3.deleteObject': { params: { bucket: string; key: string }; result: { deleted: boolean } };
  'sns.publish': {
    params: { topic: string; message: string; subject?: string; messageAttributes?: Record<string, { Type: string; Value: string }> };
    result: { messageId: string; recordId: string };
  };
  'sns.listTopics': { params: Record<string, never> | undefined; result: { name: string; arn: string; subscribers: string[] }[] };
  'sns.listFailures': { params: { topic?: string } | undefined; result: InvocationRecord[] };
  'stream.putRecords': {
    params: { stream: string; records: StreamRecordInput[] };
    result: { shardId: string; sequenceNumber: string }[];
  };
  'stream.list': {
    params: Record<string, never> | undefined;
    result: { name: string; kind: 'kinesis' | 'dynamodb'; shards: number; arn?: string; records?: number; functions?: string[] }[];
  };
  /** Batches a stream event source mapping discarded (retries exhausted or records too old), oldest first. */
  'stream.listFailures': { params: { stream?: string; function?: string } | undefined; result: StreamFailureInfo[] };
  /** The local DynamoDB's tables with their item counts (starts the engine when it is not running). */
  'dynamodb.listTables': { params: Record<string, never> | undefined; result: DynamoDbTableInfo[] };
  /** One page of a table's items (`limit` default 50, at most 1000); `cursor` is the previous page's, absent on the last page. */
  'dynamodb.scan': { params: { table: string; limit?: number; cursor?: string }; result: { items: DynamoDbItem[]; cursor?: string } };
  'dynamodb.getItem': { params: { table: string; key: DynamoDbItem }; result: { item?: DynamoDbItem } };
  /** Writes like PutItem through the endpoint would: the table's stream gets its record. */
  'dynamodb.putItem': { params: { table: string; item: DynamoDbItem }; result: { replaced: boolean } };
  'dynamodb.deleteItem': { params: { table: string; key: DynamoDbItem }; result: { deleted: boolean } };
  'sqs.send': { params: SqsSendParams; result: SqsSendResult };
  'sqs.list': { params: Record<string, never> | undefined; result: SqsQueueInfo[] };
  'sqs.purge': { params: { queue: string }; result: { purged: number } };
  /** Every schedule, with its next fire time; `paused` when `serve --schedules off` holds them all. */
  'schedule.list': { params: Record<string, never> | undefined; result: { paused: boolean; schedules: ScheduleInfo[] } };
  /** Fire a schedule now (disabled or paused ones too), exactly as its timer would; `recordId` is the 'schedule-fire' record. */
  'schedule.fire': { params: { name: string }; result: { recordId: string } };
  /** Pauses (or resumes) every schedule while the host runs, as `serve --schedules off|on` does at start; "fire now" still works. */
  'schedule.pause': { params: { paused: boolean }; result: { paused: boolean } };
  'httpApi.status': {
    params: Record<string, never> | undefined;
    result: { running: boolean; url?: string; routes: { method: string; path: string; function: string; api: 'rest' | 'http' | 'url' }[] };
  };
  'httpApi.start': { params: { port?: number } | undefined; result: { url: string } };
  'httpApi.stop': { params: Record<string, never> | undefined; result: { stopped: boolean } };

  /** The memory tuner: the function at each size in fresh environments; `tune.progress` per invocation. One tune at a time. */
  tune: { params: TuneParams; result: TuneResult };
  /** The host's most recent tune result (any client's), or null: a panel opened after a tune still shows it. */
  'tune.last': { params: Record<string, never> | undefined; result: TuneResult | null };
  /** Stops the running tune (its environments are killed; its `tune` request fails with "tuning was cancelled"). */
  'tune.cancel': { params: Record<string, never> | undefined; result: { cancelled: boolean } };

  /** Durable executions, newest first (of one function when given). */
  'durable.list': { params: { function?: string } | undefined; result: DurableExecutionSummary[] };
  /** One execution whole: operations with attempts, invocations, Lambda's history events. `execution`: a name, an id or an ARN. */
  'durable.get': { params: { execution: string; function?: string }; result: DurableExecutionView };
  /** StopDurableExecution: the execution ends STOPPED with this error. */
  'durable.stop': { params: { execution: string; function?: string; error?: { errorType?: string; errorMessage?: string } }; result: DurableExecutionSummary };
  /** SendDurableExecutionCallbackSuccess / Failure / Heartbeat from the panel or the CLI. */
  'durable.callback': { params: DurableCallbackParams; result: DurableExecutionSummary };
  /** Completes the execution's pending waits and retry delays now (`always`: its later ones too). */
  'durable.skipWaits': { params: { execution: string; function?: string; always?: boolean }; result: { skipped: number; execution: DurableExecutionSummary } };

  /** Debugger integration: start an invocation in an environment with the inspector; the client attaches then calls `debug.attached`. */
  'debug.prepare': { params: InvokeParams; result: DebugTarget };
  /** Debugger reports a pause/resume so the timeout clock stops while paused. */
  'debug.paused': { params: { environmentId: string }; result: { ok: true } };
  'debug.resumed': { params: { environmentId: string }; result: { ok: true } };
}

export interface Notifications {
  'invocation.started': InvocationRecord;
  'invocation.log': { id: string; line: string };
  'invocation.finished': InvocationRecord;
  /** An AWS call an invocation made, answered by the local endpoint (`recordId` is the invocation's record). */
  'invocation.serviceCall': ServiceCallSpan;
  'functions.changed': { functions: FunctionInfo[] };
  'debug.environmentStarted': DebugTarget;
  /** A debug environment is gone. `replaced`: its function's code or configuration changed, and the next debug invoke starts a new one. */
  'debug.environmentEnded': DebugEnvironmentEnded;
  'tune.progress': TuneProgress;
  'tune.finished': TuneFinished;
  /** A durable execution started, moved on or ended. */
  'durable.changed': DurableExecutionSummary;
}

export type MethodName = keyof Methods;
export type NotificationName = keyof Notifications;

/**
 * Every method at run time, so a test can check the host answers each one. Typed as a record of every
 * MethodName: a method added to `Methods` without an entry here (or an entry for no method) does not compile.
 */
const METHOD_TABLE: { readonly [M in MethodName]: true } = {
  listFunctions: true,
  listProblems: true,
  getTrace: true,
  'sqs.send': true,
  'sqs.list': true,
  'dynamodb.listTables': true,
  'dynamodb.scan': true,
  'dynamodb.getItem': true,
  'dynamodb.putItem': true,
  'dynamodb.deleteItem': true,
  'sqs.purge': true,
  tune: true,
  'tune.cancel': true,
  'tune.last': true,
  'schedule.list': true,
  'schedule.fire': true,
  'schedule.pause': true,
  invoke: true,
  listInvocations: true,
  getInvocation: true,
  cancelInvocation: true,
  'events.listTemplates': true,
  'events.generate': true,
  'events.listSaved': true,
  'events.getSaved': true,
  'events.save': true,
  'events.rename': true,
  'events.delete': true,
  'events.forFunction': true,
  'events.generateForFunction': true,
  'events.getFile': true,
  'events.check': true,
  'events.acceptExpected': true,
  's3.putObject': true,
  's3.deleteObject': true,
  'sns.publish': true,
  'sns.listTopics': true,
  'sns.listFailures': true,
  'stream.putRecords': true,
  'stream.list': true,
  'stream.listFailures': true,
  'httpApi.status': true,
  'httpApi.start': true,
  'httpApi.stop': true,
  'durable.list': true,
  'durable.get': true,
  'durable.stop': true,
  'durable.callback': true,
  'durable.skipWaits': true,
  'debug.prepare': true,
  'debug.paused': true,
  'debug.resumed': true,
};
export const METHOD_NAMES: readonly MethodName[] = Object.keys(METHOD_TABLE) as MethodName[];
export type ParamsOf<M extends MethodName> = Methods[M]['params'];
export type ResultOf<M extends MethodName> = Methods[M]['result'];

// JSON-RPC 2.0 envelopes.
export interface RpcRequest<M extends MethodName = MethodName> {
  jsonrpc: '2.0';
  id: number | string;
  method: M;
  params?: ParamsOf<M>;
}

export interface RpcNotification<N extends NotificationName = NotificationName> {
  jsonrpc: '2.0';
  method: N;
  params: Notifications[N];
}

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: { hint?: string; [key: string]: unknown };
}

export type RpcResponse = { jsonrpc: '2.0'; id: number | string; result: unknown } | { jsonrpc: '2.0'; id: number | string | null; error: RpcErrorObject };

/** Standard JSON-RPC codes plus ours (-32000 … -32099 are reserved for implementations). */
export const RpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** A user mistake: unknown function, bad event, out-of-range memory… */
  UserError: -32000,
  ResourceNotFound: -32001,
  TooManyRequests: -32002,
} as const;
