// What the long-running host hands to its parts (server/, events/): the functions, the invoker,
// the record book and where state lives. `serve` builds one; tests build one the same way.
import type { FunctionInfo } from './protocol/functions';
import type { MethodName, ParamsOf, ResultOf } from './protocol/methods';
import type { InvocationRecord } from './protocol/records';
import type { AwsAccess } from './runtime/aws-environment';
import type { Invoker } from './runtime/types';
import type {
  AwsServiceHandler,
  DynamoDbStreamDelivery,
  EventBusDelivery,
  ObjectDelivery,
  QueueDelivery,
  ServiceCallRecorder,
  TopicDelivery,
} from './events/aws-service';

export interface FunctionCatalog {
  list(): FunctionInfo[];
  /** By logical id / name; undefined when unknown. */
  get(name: string): FunctionInfo | undefined;
  /** Called with the new list whenever the template, env overrides or code change. Returns an unsubscribe. */
  onDidChange(listener: (functions: FunctionInfo[]) => void): () => void;
  /**
   * The template's resources with parameters, pseudo parameters and Globals resolved as far as they
   * can be locally (API Gateway `AWS::Serverless::Api` / `HttpApi` settings such as StageName, Cors,
   * BinaryMediaTypes live here). Empty when functions come from handler strings only.
   */
  resources(): Record<string, TemplateResource>;
}

export interface TemplateResource {
  Type: string;
  Properties: Record<string, unknown>;
}

/**
 * Every record that is not produced by the Invoker itself (an SNS publish, an S3 event, a stream
 * batch, an HTTP request, an async invoke) goes through here, so the store persists it and
 * clients are notified exactly as for invocations.
 */
export interface RecordBook {
  /** Announce a new record (emits `invocation.started`, or `invocation.finished` when already final). */
  open(record: InvocationRecord): void;
  /** Announce that a record reached its final state (emits `invocation.finished`). */
  close(record: InvocationRecord): void;
  get(id: string): InvocationRecord | undefined;
  /** Resolves once every record opened or closed so far is durably in the history (answer clients after it). */
  written?(): Promise<void>;
}

export interface HostLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export interface HostContext {
  /** Project root (absolute). User paths never escape it. */
  root: string;
  /** State folder (absolute), default `<root>/.lambda-workbench`. */
  stateDir: string;
  region: string;
  accountId: string;
  functions: FunctionCatalog;
  invoker: Invoker;
  records: RecordBook;
  log: HostLogger;
  /** Service calls made through the local AWS endpoint, linked into traces (absent in tests that do not need it). */
  serviceCalls?: ServiceCallRecorder;
  /** Base URL of the local AWS endpoint (`http://127.0.0.1:<port>`), once it listens; functions get it as AWS_ENDPOINT_URL. */
  awsEndpoint?: string;
  /** Host names every listener accepts besides the loopback ones (server/local-request.ts). */
  allowedHosts?: readonly string[];
  /** Credentials and endpoints functions get (runtime/aws-environment.ts); set `aws.endpointUrl` once the local AWS endpoint listens. */
  aws?: AwsAccess;
  /** Set by the SQS source at start, so SNS, S3 and EventBridge can deliver into queues. */
  queues?: QueueDelivery;
  /** Set by the SNS source at start, so S3 and EventBridge can publish to topics. */
  topics?: TopicDelivery;
  /** Set by the S3 source at start, so Lambda's on-failure destinations can write into buckets. */
  objects?: ObjectDelivery;
  /** Set by the EventBridge source at start, so Lambda's asynchronous destinations can put events on buses. */
  eventBuses?: EventBusDelivery;
  /** Set by the streams source at start, so DynamoDB tables write their changes to their streams. */
  dynamoDbStreams?: DynamoDbStreamDelivery;
}

/** A protocol method implementation. */
export type MethodHandler<M extends MethodName> = (params: ParamsOf<M>) => Promise<ResultOf<M>>;
export type MethodHandlers = { [M in MethodName]?: MethodHandler<M> };

/**
 * One simulated event source (S3, streams, SNS, HTTP API…): one folder under events/, started by
 * `serve` with the host context. It may contribute protocol methods and keys to the ready line.
 */
export interface EventSource {
  readonly name: string;
  start(context: HostContext): Promise<void>;
  stop(): Promise<void>;
  methods?(): MethodHandlers;
  /** Extra ready-line keys, e.g. `{httpApi: 'http://127.0.0.1:port'}`. */
  readyInfo?(): Record<string, string>;
  /** The AWS API this source answers on the local AWS endpoint (see events/aws-service.ts). */
  awsService?(): AwsServiceHandler;
}
