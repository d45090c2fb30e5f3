// How a function is described across the protocol (listFunctions, functions.changed).
import type { Architecture } from './records';

/** The runtime families the host can run; anything else is listed with `supported: false`. */
export type RuntimeFamily = 'nodejs' | 'python' | 'ruby' | 'java' | 'provided' | 'unsupported';

/** An event source wired to a function from its template `Events`. */
export type EventSourceInfo =
  | { type: 'Api'; name: string; method: string; path: string; restApiId?: string }
  | { type: 'HttpApi'; name: string; method: string; path: string; apiId?: string }
  | { type: 'FunctionUrl'; authType: string }
  | { type: 'S3'; name: string; bucket: string; events: string[]; prefix?: string; suffix?: string }
  | { type: 'Kinesis' | 'DynamoDB'; name: string; stream: string; batchSize: number; startingPosition: string }
  | { type: 'SQS'; name: string; queue: string; batchSize: number }
  | { type: 'SNS'; name: string; topic: string; filterPolicy?: unknown; filterPolicyScope?: 'MessageAttributes' | 'MessageBody' }
  | { type: 'Schedule'; name: string; schedule: string }
  /** SAM `CloudWatchEvent` / `EventBridgeRule`: a rule on `bus` whose pattern routes events to the function. */
  | { type: 'EventBridgeRule'; name: string; bus: string; pattern?: unknown }
  | { type: 'Other'; name: string; sourceType: string };

export interface FunctionInfo {
  /** Template logical id, or the name given for a handler-only function. */
  name: string;
  /** The template's `FunctionName`, when set: the name the function has on AWS (and answers to here too). */
  functionName?: string;
  /** Local folders of the function's layers, in the template's order (up to 5): what Lambda would unpack into /opt. */
  layers?: string[];
  /** `LoggingConfig.LogGroup`, when set (AWS_LAMBDA_LOG_GROUP_NAME); default `/aws/lambda/<name>`. */
  logGroup?: string;
  /**
   * `LoggingConfig.SystemLogLevel` (JSON format only): Lambda writes its platform lines at INFO, so `WARN`
   * leaves them out of the function's log (lambda-behaviour §4).
   */
  systemLogLevel?: 'DEBUG' | 'INFO' | 'WARN';
  /** The handler string as Lambda reads it, e.g. `src/app.handler`. */
  handler: string;
  /** Absolute path of the task root (CodeUri). */
  codeUri: string;
  /** e.g. `nodejs22.x`, `python3.12`, `provided.al2023`. */
  runtime: string;
  runtimeFamily: RuntimeFamily;
  /** The template's `Metadata: BuildMethod` (e.g. `go1.x`: the host builds the Go sources in `codeUri` into the custom runtime's bootstrap). */
  buildMethod?: string;
  /** false for runtimes the host cannot run (.NET, Java 8); `unsupportedReason` says why. */
  supported: boolean;
  unsupportedReason?: string;
  memorySizeMB: number;
  timeoutSeconds: number;
  architecture: Architecture;
  reservedConcurrency?: number;
  /** ProvisionedConcurrencyConfig (with AutoPublishAlias): this many environments are kept initialised from `serve` start. */
  provisionedConcurrency?: number;
  environment: Record<string, string>;
  /** `DurableConfig`: invocations start durable executions (runtime-host/durable/). */
  durableConfig?: DurableConfigInfo;
  events: EventSourceInfo[];
  /** Where it came from: a template (with its path) or a bare handler string. */
  origin: { kind: 'template'; templatePath: string } | { kind: 'handler' };
  /** What this function's configuration uses that is not emulated locally (each named once, at load). */
  notEmulated?: string[];
  /** Values the host could not resolve locally, e.g. `{"Fn::GetAtt": ...}` shown as text. */
  unresolved?: string[];
}

/** A durable function's settings, from its template's `DurableConfig`. */
export interface DurableConfigInfo {
  /** ExecutionTimeout: how long one execution may run, across all its invocations and waits. */
  executionTimeoutSeconds: number;
  /** RetentionPeriodInDays: how long an ended execution's history is kept (default 14). */
  retentionPeriodInDays: number;
}

/** Something in the template the host could not take as it is, at its line (shown at load, in VS Code's Problems panel, in the panel). */
export interface TemplateProblem {
  /** The template, relative to the project root when inside it. */
  file: string;
  /** Absolute path of the template. */
  path: string;
  line: number;
  column: number;
  message: string;
  /** `error`: the function it concerns cannot run. `warning`: it runs, but something is ignored or not emulated. */
  severity: 'error' | 'warning';
}
