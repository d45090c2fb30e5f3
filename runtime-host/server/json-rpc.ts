// JSON-RPC 2.0 dispatch, independent of the transport: text in, text out (or the parts of the text out,
// for a transport that can send them without joining them). Every malformed message gets its JSON-RPC
// error (parse error, invalid request, method not found, invalid params with a hint); nothing a client
// sends can throw out of `handle`.
import type { HostLogger } from '../host-context';
import { RpcError, rpcCodeOf, UserError } from '../protocol/errors';
import { RpcErrorCode, type RpcErrorObject, type RpcResponse } from '../protocol/methods';
import { jsonNestingExceeds, MAX_JSON_DEPTH } from './json-depth';
import { joinParts, stringifySealedParts } from '../util/sealed-json';
import { isRecord } from '../util/values';

export { RpcError };

export function invalidParams(message: string, hint: string): RpcError {
  return new RpcError(RpcErrorCode.InvalidParams, message, { hint });
}

export type RpcMethod = (params: unknown) => Promise<unknown>;

/** A batch larger than this is refused as a whole (one client cannot queue unbounded work in one frame). */
export const MAX_BATCH = 100;

type Id = string | number | null;

function errorResponse(id: Id, code: number, message: string, data?: RpcErrorObject['data']): RpcResponse {
  return { jsonrpc: '2.0', id, error: { code, message, ...(data ? { data } : {}) } };
}

export class JsonRpcDispatcher {
  private readonly methods = new Map<string, RpcMethod>();

  constructor(private readonly log?: HostLogger) {}

  register(name: string, method: RpcMethod): void {
    this.methods.set(name, method);
  }

  has(name: string): boolean {
    return this.methods.has(name);
  }

  names(): string[] {
    return [...this.methods.keys()].sort();
  }

  /** One incoming frame → the response frame, or undefined when nothing is due (notifications only). */
  async handle(text: string): Promise<string | undefined> {
    const parts = await this.handleParts(text);
    return parts && joinParts(parts);
  }

  /**
   * One incoming frame → the response frame as the parts of its UTF-8 text (see `stringifySealedParts`:
   * events the history keeps as bytes are among them as they are), or undefined when nothing is due.
   */
  async handleParts(text: string): Promise<(string | Buffer)[] | undefined> {
    // An event nested thousands deep parses, then overflows the stack wherever it is serialised again.
    if (jsonNestingExceeds(text, MAX_JSON_DEPTH)) {
      return [
        JSON.stringify(
          errorResponse(null, RpcErrorCode.InvalidParams, `Invalid params: the message nests deeper than ${MAX_JSON_DEPTH} levels`, {
            hint: `events and params may nest at most ${MAX_JSON_DEPTH} objects/arrays deep`,
          }),
        ),
      ];
    }
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (err) {
      return [
        JSON.stringify(errorResponse(null, RpcErrorCode.ParseError, 'Parse error', { hint: `the message is not valid JSON: ${(err as Error).message}` })),
      ];
    }
    if (Array.isArray(message)) {
      if (message.length === 0)
        return [JSON.stringify(errorResponse(null, RpcErrorCode.InvalidRequest, 'Invalid Request', { hint: 'a batch must contain at least one request' }))];
      if (message.length > MAX_BATCH) {
        return [
          JSON.stringify(
            errorResponse(null, RpcErrorCode.InvalidRequest, 'Invalid Request', {
              hint: `a batch may contain at most ${MAX_BATCH} requests, got ${message.length}`,
            }),
          ),
        ];
      }
      const responses = (await Promise.all(message.map((m) => this.one(m)))).filter((r): r is RpcResponse => r !== undefined);
      return responses.length > 0 ? stringifySealedParts(responses) : undefined;
    }
    const response = await this.one(message);
    return response ? stringifySealedParts(response) : undefined;
  }

  private async one(message: unknown): Promise<RpcResponse | undefined> {
    if (!isRecord(message)) {
      return errorResponse(null, RpcErrorCode.InvalidRequest, 'Invalid Request', { hint: 'send an object {"jsonrpc":"2.0","id":1,"method":"…","params":{…}}' });
    }
    const rawId = message.id;
    const validId = rawId === undefined || rawId === null || typeof rawId === 'string' || (typeof rawId === 'number' && Number.isFinite(rawId));
    const id: Id = validId && rawId !== undefined ? (rawId as Id) : null;
    const isNotification = !('id' in message);
    if (message.jsonrpc !== '2.0')
      return errorResponse(id, RpcErrorCode.InvalidRequest, 'Invalid Request', { hint: 'the "jsonrpc" member must be exactly "2.0"' });
    if (!validId) return errorResponse(null, RpcErrorCode.InvalidRequest, 'Invalid Request', { hint: '"id" must be a string, a number or null' });
    if (typeof message.method !== 'string') {
      return errorResponse(id, RpcErrorCode.InvalidRequest, 'Invalid Request', { hint: '"method" must be a string (responses are not accepted by the host)' });
    }
    if ('params' in message && message.params !== undefined && !isRecord(message.params) && !Array.isArray(message.params)) {
      return errorResponse(id, RpcErrorCode.InvalidRequest, 'Invalid Request', { hint: '"params" must be an object when present' });
    }
    const method = this.methods.get(message.method);
    if (!method) {
      if (isNotification) return undefined;
      return errorResponse(id, RpcErrorCode.MethodNotFound, 'Method not found', {
        hint: `unknown method '${message.method.slice(0, 100)}'; available: ${this.names().join(', ')}`,
      });
    }
    if (Array.isArray(message.params)) {
      return isNotification
        ? undefined
        : errorResponse(id, RpcErrorCode.InvalidParams, 'Invalid params', { hint: 'params are named: pass an object, not an array' });
    }
    try {
      const result = await method(message.params);
      return isNotification ? undefined : { jsonrpc: '2.0', id: id as string | number, result: result === undefined ? null : result };
    } catch (err) {
      if (isNotification) return undefined;
      return this.errorFor(id, message.method, err);
    }
  }

  private errorFor(id: Id, method: string, err: unknown): RpcResponse {
    if (err instanceof RpcError) return errorResponse(id, err.code, err.message, err.data);
    if (err instanceof UserError || (err instanceof Error && err.name === 'UserError')) {
      const e = err as UserError;
      const code = rpcCodeOf(e.code);
      return errorResponse(id, code, e.message, { ...(e.hint ? { hint: e.hint } : {}), ...(e.code ? { code: e.code } : {}) });
    }
    this.log?.error(`${method} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return errorResponse(id, RpcErrorCode.InternalError, 'Internal error', {
      hint: `${method} failed in the host: ${err instanceof Error ? err.message : String(err)}`,
    });
  }
}
