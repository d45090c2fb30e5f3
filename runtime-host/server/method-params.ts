// Params of a JSON-RPC method checked at its edge: a missing or mistyped field is -32602 Invalid params
// naming the field and the method, with an example, before the method's code runs (a TypeError deep
// inside would be a -32603 and a stack trace in the log).
import { invalidParams, type RpcError } from './json-rpc';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The named fields of one call; absent params are an empty object (a method with required fields says which). */
export class MethodParams {
  private readonly p: Record<string, unknown>;

  constructor(
    params: unknown,
    private readonly method: string,
    private readonly example: string,
  ) {
    if (params !== undefined && params !== null && !isRecord(params)) throw this.invalid(`${method} takes an object, e.g. ${example}`);
    this.p = params ?? {};
  }

  /** The message names the field too: clients often show only the message. */
  private invalid(detail: string): RpcError {
    return invalidParams(`Invalid params: ${detail}`, detail);
  }

  private missing(key: string, what: string): RpcError {
    return this.invalid(`${this.method} needs "${key}" (${what}), e.g. ${this.example}`);
  }

  private wrong(key: string, what: string, value: unknown): RpcError {
    return this.invalid(`${this.method}: "${key}" must be ${what}, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }

  /** A required field of any JSON type (an event). */
  value(key: string, what: string): unknown {
    if (this.p[key] === undefined) throw this.missing(key, what);
    return this.p[key];
  }

  string(key: string, what = 'a non-empty string'): string {
    const v = this.p[key];
    if (v === undefined || v === null) throw this.missing(key, what);
    if (typeof v !== 'string' || v === '') throw this.wrong(key, what, v);
    return v;
  }

  /** A required string that may be empty (an object body, a message). */
  text(key: string, what = 'a string'): string {
    const v = this.p[key];
    if (v === undefined || v === null) throw this.missing(key, what);
    if (typeof v !== 'string') throw this.wrong(key, what, v);
    return v;
  }

  optionalString(key: string, what = 'a string'): string | undefined {
    const v = this.p[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw this.wrong(key, what, v);
    return v;
  }

  optionalBoolean(key: string): boolean | undefined {
    const v = this.p[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw this.wrong(key, 'true or false', v);
    return v;
  }

  optionalInteger(key: string, min: number, max: number): number | undefined {
    const v = this.p[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw this.wrong(key, `a whole number from ${min} to ${max}`, v);
    return v;
  }

  array(key: string, what: string): unknown[] {
    const v = this.p[key];
    if (v === undefined || v === null) throw this.missing(key, what);
    if (!Array.isArray(v)) throw this.wrong(key, what, v);
    return v;
  }

  optionalObject(key: string, what: string): Record<string, unknown> | undefined {
    const v = this.p[key];
    if (v === undefined) return undefined;
    if (!isRecord(v)) throw this.wrong(key, what, v);
    return v;
  }

  /** A field of an element: `records[3].data` must be …. */
  element(path: string, what: string, value: unknown): never {
    throw this.wrong(path, what, value);
  }
}
