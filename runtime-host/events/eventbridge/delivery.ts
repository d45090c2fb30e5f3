// Delivering one matched event to one rule target, as EventBridge does: a failed call is retried with
// exponential back-off while the target's RetryPolicy allows (MaximumRetryAttempts, default 185;
// MaximumEventAgeInSeconds, default 86,400), errors no retry can fix (a target that does not exist,
// an invalid parameter) are not retried, and an event that cannot be delivered goes to the target's
// dead-letter queue (DeadLetterConfig.Arn, an SQS queue) with the message attributes EventBridge adds:
// RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION (only when a retry limit
// ended it) and RETRY_ATTEMPTS. Without a dead-letter queue the event is dropped.
//
// Decision: EventBridge does not document its back-off beyond "exponential with jitter" over 24 hours;
// locally a retry waits 1 s, 2 s, 4 s… up to 60 s, each between half and all of that (jitter). Tests
// and other callers inject `DeliveryTiming` so a retry schedule runs without waiting.
import { UserError } from '../../runtime/types';
import type { ServiceMessage } from '../aws-service';
import type { RetryPolicy } from './template';

export interface DeliveryTiming {
  /** Epoch ms: the event's age is measured with it. */
  now(): number;
  /** Waits `ms` between attempts; resolves early when `signal` aborts (the host is stopping). */
  wait(ms: number, signal: AbortSignal): Promise<void>;
  /** The wait before retry `retry` (1 for the first retry). */
  backoffMs(retry: number): number;
}

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 60_000;

export const systemTiming: DeliveryTiming = {
  now: () => Date.now(),
  wait: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted || ms <= 0) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
  backoffMs: (retry) => {
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, retry - 1));
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  },
};

/** A sample of the codes EventBridge puts in a dead-letter message's ERROR_CODE. */
export type DeliveryErrorCode = 'NO_RESOURCE' | 'INVALID_PARAMETER' | 'INVALID_JSON' | 'THROTTLING' | 'INTERNAL_ERROR';

/** A failed call to a target, with whether a retry could succeed. */
export class DeliveryFailure extends Error {
  constructor(
    readonly code: DeliveryErrorCode,
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

/** How a target's failure is read: the services' own errors say whether the resource is missing or the call invalid. */
export function classifyFailure(err: unknown): DeliveryFailure {
  if (err instanceof DeliveryFailure) return err;
  if (err instanceof UserError) {
    if (err.code === 'ResourceNotFound') return new DeliveryFailure('NO_RESOURCE', err.message, false);
    if (err.code === 'TooManyRequests') return new DeliveryFailure('THROTTLING', err.message, true);
    return new DeliveryFailure('INVALID_PARAMETER', err.message, false);
  }
  // Anything else is the host's own trouble (a disk write that failed…): worth retrying, as EventBridge retries its 5xx.
  return new DeliveryFailure('INTERNAL_ERROR', err instanceof Error ? err.message : String(err), true);
}

export interface DeliveryOutcome {
  status: 'delivered' | 'dead-lettered' | 'dropped' | 'interrupted';
  /** Calls made to the target (1 + retries). */
  attempts: number;
  errorCode?: DeliveryErrorCode;
  errorMessage?: string;
  exhaustedRetryCondition?: 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds';
  /** Why the dead-letter queue did not take it, when it did not. */
  deadLetterError?: string;
}

export interface DeliveryRequest {
  /** One call to the target; throws on failure. */
  send(): Promise<void>;
  retryPolicy: RetryPolicy;
  /** Epoch ms the event was put on the bus (its age counts from here). */
  ingestedAt: number;
  ruleArn: string;
  targetArn: string;
  /** The event exactly as the bus got it: the dead-letter message's body. */
  event: Record<string, unknown>;
  deadLetterArn?: string;
  /** Sends the dead-letter message (the SQS source's delivery). */
  sendToQueue?: (queue: string, message: ServiceMessage) => Promise<unknown>;
  caller?: ServiceMessage['caller'];
  timing: DeliveryTiming;
  signal: AbortSignal;
}

export async function deliverToTarget(req: DeliveryRequest): Promise<DeliveryOutcome> {
  let attempts = 0;
  for (;;) {
    if (req.signal.aborted) return { status: 'interrupted', attempts };
    attempts++;
    let failure: DeliveryFailure;
    try {
      await req.send();
      return { status: 'delivered', attempts };
    } catch (err) {
      failure = classifyFailure(err);
    }
    const retries = attempts - 1;
    let exhausted: DeliveryOutcome['exhaustedRetryCondition'];
    if (failure.retriable) {
      if (retries >= req.retryPolicy.maximumRetryAttempts) exhausted = 'MaximumRetryAttempts';
      else {
        const delay = req.timing.backoffMs(retries + 1);
        if (req.timing.now() + delay - req.ingestedAt > req.retryPolicy.maximumEventAgeSeconds * 1000) exhausted = 'MaximumEventAgeInSeconds';
        else {
          await req.timing.wait(delay, req.signal);
          continue;
        }
      }
    }
    return deadLetter(req, failure, retries, exhausted);
  }
}

async function deadLetter(
  req: DeliveryRequest,
  failure: DeliveryFailure,
  retries: number,
  exhausted: DeliveryOutcome['exhaustedRetryCondition'],
): Promise<DeliveryOutcome> {
  const outcome: DeliveryOutcome = {
    status: 'dropped',
    attempts: retries + 1,
    errorCode: failure.code,
    errorMessage: failure.message,
    ...(exhausted ? { exhaustedRetryCondition: exhausted } : {}),
  };
  if (req.deadLetterArn === undefined) return outcome;
  if (!req.sendToQueue) return { ...outcome, deadLetterError: 'no SQS service is running' };
  const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
  const attributes: NonNullable<ServiceMessage['attributes']> = {
    RULE_ARN: attribute(req.ruleArn),
    TARGET_ARN: attribute(req.targetArn),
    ERROR_CODE: attribute(failure.code),
    ERROR_MESSAGE: attribute(failure.message),
    ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: attribute(exhausted) } : {}),
    RETRY_ATTEMPTS: attribute(String(retries)),
  };
  try {
    await req.sendToQueue(req.deadLetterArn, { body: JSON.stringify(req.event), attributes, ...(req.caller ? { caller: req.caller } : {}) });
    return { ...outcome, status: 'dead-lettered' };
  } catch (err) {
    return { ...outcome, deadLetterError: err instanceof Error ? err.message : String(err) };
  }
}
