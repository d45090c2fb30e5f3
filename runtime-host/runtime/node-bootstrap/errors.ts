// Lambda's error classes and the two ways it renders an error (lambda-behaviour §3): the body posted to the
// Runtime API and the JSON that follows `Invoke Error` / `Uncaught Exception` in the log.
import { types } from 'node:util';

/** The body of /invocation/<id>/error and /init/error. */
export interface ErrorBody {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

// Lambda names these `Runtime.<Class>` through the prototype, so `err.name` and the stack header
// agree. The name is passed as a string: bundlers may rename classes.
function runtimeError<T extends new (...args: never[]) => Error>(name: string, cls: T): T {
  cls.prototype.name = `Runtime.${name}`;
  return cls;
}

export const ImportModuleError = runtimeError('ImportModuleError', class extends Error {});
export const HandlerNotFound = runtimeError('HandlerNotFound', class extends Error {});
export const MalformedHandlerName = runtimeError('MalformedHandlerName', class extends Error {});
export const UserCodeSyntaxError = runtimeError('UserCodeSyntaxError', class extends Error {});
export const UnhandledPromiseRejection = runtimeError(
  'UnhandledPromiseRejection',
  class extends Error {
    constructor(
      readonly reason: unknown,
      readonly promise: Promise<unknown>,
    ) {
      super(reason as string);
    }
  },
);

interface ErrorLike {
  name: string;
  message: string;
  stack: string;
}

function isErrorLike(value: unknown): value is ErrorLike {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return !!(v.name && v.message && v.stack) && typeof v.name === 'string' && typeof v.message === 'string' && typeof v.stack === 'string';
}

export function intoError(value: unknown): Error {
  return value instanceof Error ? value : new Error(value as string);
}

/** Lambda's error body: Error → name/message/stack lines; anything else → typeof / String(v) / []. */
export function toErrorBody(error: unknown): ErrorBody {
  try {
    if (types.isNativeError(error) || isErrorLike(error)) {
      const e = error as ErrorLike;
      return {
        errorType: e.name?.replace(/\x7F/g, '%7F'),
        errorMessage: e.message?.replace(/\x7F/g, '%7F'),
        trace: e.stack.replace(/\x7F/g, '%7F').split('\n'),
      };
    }
    return { errorType: typeof error, errorMessage: String((error as { toString(): string }).toString()), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

function withEnumerableProperties(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const out = Object.assign({ errorType: value.name, errorMessage: value.message, code: (value as { code?: unknown }).code }, value) as unknown as Record<
    string,
    unknown
  >;
  if (typeof value.stack === 'string') out.stack = value.stack.split('\n');
  return out;
}

/** The text after `Invoke Error ` in the log: a tab, then the error with its own enumerable properties. */
export function toFormatted(error: Error): string {
  try {
    return '\t' + JSON.stringify(error, (_key, v: unknown) => withEnumerableProperties(v));
  } catch {
    return '\t' + JSON.stringify(toErrorBody(error));
  }
}
