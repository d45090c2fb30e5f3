// Variables Lambda sets itself: a function's configuration may not set them, and the Lambda API refuses
// one that does (InvalidParameterValueException; lambda-behaviour §8). The host refuses them the same way,
// naming the variable, instead of dropping them silently.
import { UserError } from '../runtime/types';

export const RESERVED_VARIABLES: ReadonlySet<string> = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_RUNTIME_API',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
  'TZ',
]);

/** The reserved names among `variables`, in their order. */
export function reservedNames(variables: Record<string, unknown>): string[] {
  return Object.keys(variables).filter((k) => RESERVED_VARIABLES.has(k));
}

/** What Lambda would say, in our words: which variable, and that Lambda sets it. */
export function reservedMessage(names: string[], where: string): string {
  const list = names.join(', ');
  return `${where} sets ${names.length === 1 ? 'the reserved environment variable' : 'reserved environment variables'} ${list}: Lambda sets ${names.length === 1 ? 'it' : 'them'} itself and refuses such a configuration (InvalidParameterValueException)`;
}

/** Throws a UserError when `variables` contains a reserved name. */
export function refuseReserved(variables: Record<string, unknown>, where: string): void {
  const names = reservedNames(variables);
  if (names.length > 0) throw new UserError(reservedMessage(names, where), `remove ${names.join(', ')} from ${where}`);
}
