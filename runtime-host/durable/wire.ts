// The durable-execution operations of the Lambda API (version 2025-12-01) on the wire, as
// @aws-sdk/client-lambda sends them: rest-json, labels in the path (an execution ARN is one label,
// its `/` percent-encoded), options in the query, timestamps as epoch seconds. Routing and
// (de)serialisation only; the operations themselves are the engine's (DurableOperations).
import { randomUUID } from 'node:crypto';
import type { AwsResponse, ServiceCallDescription } from '../events/aws-service';
import { DurableApiError, EXECUTION_STATUSES, invalidParameter, toEpochSeconds, type ErrorObject, type ExecutionStatus, type OperationUpdate } from './model';

export interface ListExecutionsQuery {
  qualifier?: string;
  name?: string;
  statuses?: ExecutionStatus[];
  startedAfter?: number;
  startedBefore?: number;
  reverseOrder?: boolean;
  marker?: string;
  maxItems?: number;
}

export interface HistoryQuery {
  includeExecutionData: boolean;
  maxItems?: number;
  marker?: string;
  reverseOrder?: boolean;
}

/** What the engine implements; results carry epoch-ms timestamps (the wire turns them into seconds). */
export interface DurableOperations {
  checkpoint(arn: string, token: string, updates: OperationUpdate[], clientToken: string | undefined): Promise<Record<string, unknown>>;
  getState(arn: string, token: string, marker: string | undefined, maxItems: number | undefined): Record<string, unknown>;
  getExecution(arn: string): Record<string, unknown>;
  getHistory(arn: string, query: HistoryQuery): Record<string, unknown>;
  stop(arn: string, error: ErrorObject | undefined): Promise<Record<string, unknown>>;
  callbackSuccess(callbackId: string, result: Buffer): Promise<void>;
  callbackFailure(callbackId: string, error: ErrorObject | undefined): Promise<void>;
  callbackHeartbeat(callbackId: string): Promise<void>;
  listByFunction(functionName: string, query: ListExecutionsQuery): Record<string, unknown>;
}

export interface DurableRequest {
  method: string;
  /** The path as it came (labels still percent-encoded). */
  rawPath: string;
  query: URLSearchParams;
  body: Buffer;
}

export type DurableAnswer = AwsResponse & { call: ServiceCallDescription };

const VERSION = '/2025-12-01/';
const EXECUTION_SUFFIXES = ['checkpoint', 'state', 'history', 'stop'] as const;

/** Whether a path is one of these operations' (the endpoint routes unsigned requests by it). */
export function isDurablePath(rawPath: string): boolean {
  return (
    rawPath.startsWith(`${VERSION}durable-executions/`) ||
    rawPath.startsWith(`${VERSION}durable-execution-callbacks/`) ||
    /^\/2025-12-01\/functions\/[^/]+\/durable-executions\/?$/.test(rawPath)
  );
}

function decode(label: string): string {
  try {
    return decodeURIComponent(label);
  } catch {
    throw invalidParameter('The request path is not correctly URL-encoded.');
  }
}

function json(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw invalidParameter('The request body is not a JSON object.');
}

function intParam(query: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw invalidParameter(`${name} must be a whole number from ${min} to ${max}.`);
  return n;
}

function boolParam(query: URLSearchParams, name: string): boolean | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (raw !== 'true' && raw !== 'false') throw invalidParameter(`${name} must be true or false.`);
  return raw === 'true';
}

/** Query timestamps: rest-json sends them as ISO-8601 date-times; epoch seconds are accepted too. */
function timeParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw);
  if (!Number.isFinite(ms)) throw invalidParameter(`${name} must be a timestamp.`);
  return ms;
}

function errorObject(v: Record<string, unknown>): ErrorObject | undefined {
  const out: ErrorObject = {};
  for (const key of ['ErrorType', 'ErrorMessage', 'ErrorData'] as const) if (typeof v[key] === 'string') out[key] = v[key];
  if (Array.isArray(v.StackTrace)) out.StackTrace = v.StackTrace.filter((s): s is string => typeof s === 'string');
  return Object.keys(out).length ? out : undefined;
}

function ok(body: Record<string, unknown>, call: ServiceCallDescription): DurableAnswer {
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify(toEpochSeconds(body)),
    call,
  };
}

export function durableError(err: DurableApiError, call: ServiceCallDescription): DurableAnswer {
  return {
    status: err.status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': err.type, 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify({ Type: err.status >= 500 ? 'Service' : 'User', Message: err.message }),
    call: { ...call, errorCode: err.type },
  };
}

/** One request, or undefined when its path is not one of these operations. */
export async function answerDurable(request: DurableRequest, ops: DurableOperations): Promise<DurableAnswer | undefined> {
  const { method, rawPath, query, body } = request;
  if (!isDurablePath(rawPath)) return undefined;
  let call: ServiceCallDescription = { operation: 'Unknown' };
  try {
    if (rawPath.startsWith(`${VERSION}durable-executions/`)) {
      const rest = rawPath.slice(`${VERSION}durable-executions/`.length).replace(/\/+$/, '');
      const slash = rest.lastIndexOf('/');
      const suffix = slash >= 0 ? rest.slice(slash + 1) : '';
      const known = (EXECUTION_SUFFIXES as readonly string[]).includes(suffix);
      const arn = decode(known ? rest.slice(0, slash) : rest);
      const resource = arn.slice(arn.indexOf('durable-execution/') + 'durable-execution/'.length).split('/')[0] || arn;
      if (known && suffix === 'checkpoint' && method === 'POST') {
        call = { operation: 'CheckpointDurableExecution', resource };
        const b = json(body);
        if (typeof b.CheckpointToken !== 'string' || b.CheckpointToken === '') throw invalidParameter('CheckpointToken is required.');
        if (b.Updates !== undefined && !Array.isArray(b.Updates)) throw invalidParameter('Updates must be a list.');
        const clientToken = typeof b.ClientToken === 'string' ? b.ClientToken : undefined;
        return ok(await ops.checkpoint(arn, b.CheckpointToken, (b.Updates ?? []) as OperationUpdate[], clientToken), call);
      }
      if (known && suffix === 'state' && method === 'GET') {
        call = { operation: 'GetDurableExecutionState', resource };
        const token = query.get('CheckpointToken');
        if (!token) throw invalidParameter('CheckpointToken is required.');
        return ok(ops.getState(arn, token, query.get('Marker') ?? undefined, intParam(query, 'MaxItems', 0, 1000)), call);
      }
      if (known && suffix === 'history' && method === 'GET') {
        call = { operation: 'GetDurableExecutionHistory', resource };
        const maxItems = intParam(query, 'MaxItems', 0, 1000);
        const reverseOrder = boolParam(query, 'ReverseOrder');
        const marker = query.get('Marker');
        return ok(
          ops.getHistory(arn, {
            includeExecutionData: boolParam(query, 'IncludeExecutionData') === true,
            ...(maxItems !== undefined ? { maxItems } : {}),
            ...(marker !== null ? { marker } : {}),
            ...(reverseOrder !== undefined ? { reverseOrder } : {}),
          }),
          call,
        );
      }
      if (known && suffix === 'stop' && method === 'POST') {
        call = { operation: 'StopDurableExecution', resource };
        return ok(await ops.stop(arn, errorObject(json(body))), call);
      }
      if (!known && method === 'GET') {
        call = { operation: 'GetDurableExecution', resource };
        return ok(ops.getExecution(arn), call);
      }
    } else if (rawPath.startsWith(`${VERSION}durable-execution-callbacks/`)) {
      const rest = rawPath.slice(`${VERSION}durable-execution-callbacks/`.length).replace(/\/+$/, '');
      const slash = rest.lastIndexOf('/');
      const action = rest.slice(slash + 1);
      const callbackId = decode(rest.slice(0, Math.max(0, slash)));
      if (method === 'POST' && callbackId && action === 'succeed') {
        call = { operation: 'SendDurableExecutionCallbackSuccess' };
        await ops.callbackSuccess(callbackId, body);
        return ok({}, call);
      }
      if (method === 'POST' && callbackId && action === 'fail') {
        call = { operation: 'SendDurableExecutionCallbackFailure' };
        await ops.callbackFailure(callbackId, errorObject(json(body)));
        return ok({}, call);
      }
      if (method === 'POST' && callbackId && action === 'heartbeat') {
        call = { operation: 'SendDurableExecutionCallbackHeartbeat' };
        await ops.callbackHeartbeat(callbackId);
        return ok({}, call);
      }
    } else if (method === 'GET') {
      const functionName = decode(rawPath.split('/')[3]!);
      call = { operation: 'ListDurableExecutionsByFunction', resource: functionName };
      const statuses = query.getAll('Statuses').flatMap((s) => s.split(','));
      for (const s of statuses) if (!(EXECUTION_STATUSES as readonly string[]).includes(s)) throw invalidParameter(`Invalid status '${s}'.`);
      const startedAfter = timeParam(query, 'StartedAfter');
      const startedBefore = timeParam(query, 'StartedBefore');
      const reverseOrder = boolParam(query, 'ReverseOrder');
      const maxItems = intParam(query, 'MaxItems', 0, 1000);
      return ok(
        ops.listByFunction(functionName, {
          ...(query.get('Qualifier') ? { qualifier: query.get('Qualifier')! } : {}),
          ...(query.get('DurableExecutionName') ? { name: query.get('DurableExecutionName')! } : {}),
          ...(statuses.length ? { statuses: statuses as ExecutionStatus[] } : {}),
          ...(startedAfter !== undefined ? { startedAfter } : {}),
          ...(startedBefore !== undefined ? { startedBefore } : {}),
          ...(reverseOrder !== undefined ? { reverseOrder } : {}),
          ...(query.get('Marker') ? { marker: query.get('Marker')! } : {}),
          ...(maxItems !== undefined ? { maxItems } : {}),
        }),
        call,
      );
    }
    throw new DurableApiError(404, 'UnknownOperationException', `Unknown operation ${method} ${rawPath}`);
  } catch (err) {
    if (err instanceof DurableApiError) return durableError(err, call);
    throw err;
  }
}
