// The durable-execution data model as Lambda's API defines it (the 2025-12-01 operations), held with
// epoch-millisecond timestamps; the edges convert: the REST API answers epoch seconds (rest-json's
// default, what @aws-sdk/client-lambda parses into Dates) and the invocation input carries ISO-8601
// strings (what the SDK's normalizeOperation expects from "the Lambda invocation event").
import { randomBytes } from 'node:crypto';
import type { DurableErrorObject, DurableExecutionStatus, DurableHistoryEvent, DurableOperationStatus, DurableOperationType } from '../protocol/durable';

export type ErrorObject = DurableErrorObject;
export type OperationType = DurableOperationType;
export type OperationStatus = DurableOperationStatus;
export type ExecutionStatus = DurableExecutionStatus;
export type OperationAction = 'START' | 'SUCCEED' | 'FAIL' | 'RETRY' | 'CANCEL';

export const OPERATION_TYPES: readonly OperationType[] = ['EXECUTION', 'CONTEXT', 'STEP', 'WAIT', 'CALLBACK', 'CHAINED_INVOKE'];
export const OPERATION_ACTIONS: readonly OperationAction[] = ['START', 'SUCCEED', 'FAIL', 'RETRY', 'CANCEL'];
export const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'STOPPED'];

/** Lambda's Operation (timestamps: epoch ms here). */
export interface Operation {
  Id: string;
  ParentId?: string;
  Name?: string;
  Type: OperationType;
  SubType?: string;
  StartTimestamp: number;
  EndTimestamp?: number;
  Status: OperationStatus;
  ExecutionDetails?: { InputPayload?: string };
  ContextDetails?: { ReplayChildren?: boolean; Result?: string; Error?: ErrorObject };
  StepDetails?: { Attempt?: number; NextAttemptTimestamp?: number; Result?: string; Error?: ErrorObject };
  WaitDetails?: { ScheduledEndTimestamp?: number };
  CallbackDetails?: { CallbackId?: string; Result?: string; Error?: ErrorObject };
  ChainedInvokeDetails?: { Result?: string; Error?: ErrorObject };
}

/** Lambda's OperationUpdate, as CheckpointDurableExecution receives it. */
export interface OperationUpdate {
  Id?: string;
  ParentId?: string;
  Name?: string;
  Type?: string;
  SubType?: string;
  Action?: string;
  Payload?: string;
  Error?: ErrorObject;
  ContextOptions?: { ReplayChildren?: boolean };
  StepOptions?: { NextAttemptDelaySeconds?: number };
  WaitOptions?: { WaitSeconds?: number };
  CallbackOptions?: { TimeoutSeconds?: number; HeartbeatTimeoutSeconds?: number };
  ChainedInvokeOptions?: { FunctionName?: string; TenantId?: string };
}

export type HistoryEvent = DurableHistoryEvent;

/** Terminal statuses of an operation. */
export const DONE: ReadonlySet<OperationStatus> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT', 'STOPPED']);

/** An error the Lambda API answers with (rest-json: `x-amzn-ErrorType` + `{Type, Message}`). */
export class DurableApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export const invalidParameter = (message: string) => new DurableApiError(400, 'InvalidParameterValueException', message);
export const notFound = (message: string) => new DurableApiError(404, 'ResourceNotFoundException', message);

/** `arn:aws:lambda:<region>:<account>:function:<name>:<qualifier>/durable-execution/<executionName>/<executionId>` (the API's pattern). */
export function executionArn(functionArn: string, name: string, id: string): string {
  return `${functionArn}/durable-execution/${name}/${id}`;
}

const ARN = /^arn:[^:]*:lambda:[^:]*:[^:]*:function:([^:/]+):([^:/]+)\/durable-execution\/([^/]+)\/([^/]+)$/;

export function parseExecutionArn(arn: string): { functionName: string; qualifier: string; name: string; id: string } | undefined {
  const m = ARN.exec(arn);
  return m ? { functionName: m[1]!, qualifier: m[2]!, name: m[3]!, id: m[4]! } : undefined;
}

/** DurableExecutionName: 1–64 of `[a-zA-Z0-9-_]`. */
export const EXECUTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** A checkpoint token: which execution and invocation it belongs to, plus randomness (base64, as the API's pattern wants). */
export function encodeToken(executionId: string, invocation: number): string {
  return Buffer.from(JSON.stringify({ e: executionId, i: invocation, n: randomBytes(9).toString('hex') })).toString('base64');
}

export function decodeToken(token: string): { executionId: string; invocation: number } | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { e?: unknown; i?: unknown };
    return typeof v.e === 'string' && typeof v.i === 'number' ? { executionId: v.e, invocation: v.i } : undefined;
  } catch {
    return undefined;
  }
}

/** A callback id: base64 of the execution and operation it completes (opaque to callers, as on Lambda). */
export function encodeCallbackId(executionId: string, operationId: string): string {
  return Buffer.from(JSON.stringify({ e: executionId, o: operationId, n: randomBytes(6).toString('hex') })).toString('base64');
}

export function decodeCallbackId(callbackId: string): { executionId: string; operationId: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(callbackId, 'base64').toString('utf8')) as { e?: unknown; o?: unknown };
    return typeof v.e === 'string' && typeof v.o === 'string' ? { executionId: v.e, operationId: v.o } : undefined;
  } catch {
    return undefined;
  }
}

/** A copy with every `…Timestamp` number (epoch ms) passed through `convert`, however deep. */
export function mapTimestamps<T>(value: T, convert: (ms: number) => unknown): T {
  if (Array.isArray(value)) return value.map((v) => mapTimestamps(v, convert)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[k] = k.endsWith('Timestamp') && typeof v === 'number' ? convert(v) : mapTimestamps(v, convert);
  }
  return out as T;
}

/** For the REST API: epoch seconds (fractional), rest-json's default timestamp format. */
export const toEpochSeconds = <T>(value: T): T => mapTimestamps(value, (ms) => ms / 1000);
/** For the invocation input: ISO-8601 strings. */
export const toIsoTimestamps = <T>(value: T): T => mapTimestamps(value, (ms) => new Date(ms).toISOString());
