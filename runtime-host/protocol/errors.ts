// The errors that cross a boundary, typed once: what a user can get wrong (UserError, with a code from
// one union), a bad command line or setting (UsageError), and a JSON-RPC error as it travels between
// the host, the extension and the panel (RpcError). Pure: the panel imports this module too.
import { RpcErrorCode, type RpcErrorObject } from './methods';

/**
 * Why a user's request failed, in our words. Each wire protocol maps a code to its own spelling
 * (the Invoke API's `InvalidParameterValueException`, S3's `InvalidArgument`, Kinesis's
 * `ValidationException`…), so one mistake has one code here whatever the service.
 */
export type ErrorCode =
  /** A value the caller gave is missing, malformed or out of range. */
  | 'InvalidParameter'
  /** The function, record, topic, stream, queue or saved event named does not exist. */
  | 'ResourceNotFound'
  /** A path the request names leaves the folder it must stay in (a symlink out of a bucket or the project). */
  | 'AccessDenied'
  /** A concurrency or rate limit refused the request. */
  | 'TooManyRequests'
  /** The payload is larger than the service accepts. */
  | 'RequestTooLarge'
  /** S3 answers these two with errors of their own: a bucket name outside S3's naming rules… */
  | 'InvalidBucketName'
  /** …and an object key longer than 1024 bytes. */
  | 'KeyTooLong';

/** A mistake the user made (bad handler string, memory out of range…): shown as a message and hint, never a stack. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly hint?: string,
    readonly code?: ErrorCode,
  ) {
    super(message);
  }
}

/** A bad command line or setting: the CLI prints the message (which names what is allowed) and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The JSON-RPC code a UserError is answered with; codes without their own fall back to the generic user error. */
export function rpcCodeOf(code: ErrorCode | undefined): number {
  switch (code) {
    case 'ResourceNotFound':
      return RpcErrorCode.ResourceNotFound;
    case 'TooManyRequests':
      return RpcErrorCode.TooManyRequests;
    default:
      return RpcErrorCode.UserError;
  }
}

/** A JSON-RPC error: thrown by a method on the host, received by the extension and the panel; `hint` tells the user what to do. */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: RpcErrorObject['data'],
  ) {
    super(message);
  }

  get hint(): string | undefined {
    return typeof this.data?.hint === 'string' ? this.data.hint : undefined;
  }

  static fromObject(error: RpcErrorObject): RpcError {
    return new RpcError(error.code, error.message, error.data);
  }

  toObject(): RpcErrorObject {
    return { code: this.code, message: this.message, ...(this.data ? { data: this.data } : {}) };
  }
}
