// SQS's errors, as its JSON protocol names them (`__type`) and as its query protocol does (the
// `x-amzn-query-error` header the SDK's query-compatible mode reads, and the XML `<Code>`).
// A UserError, so the same mistake through JSON-RPC (`sqs.send`) is a -32602 with a hint.
import { UserError } from '../../runtime/types';

export type SqsErrorCode =
  | 'QueueDoesNotExist'
  | 'QueueNameExists'
  | 'InvalidParameterValue'
  | 'MissingParameter'
  | 'InvalidAttributeName'
  | 'InvalidAttributeValue'
  | 'InvalidMessageContents'
  | 'ReceiptHandleIsInvalid'
  | 'MessageNotInflight'
  | 'TooManyEntriesInBatchRequest'
  | 'EmptyBatchRequest'
  | 'BatchEntryIdsNotDistinct'
  | 'InvalidBatchEntryId'
  | 'BatchRequestTooLong'
  | 'UnsupportedOperation'
  | 'InvalidAddress';

/** The query protocol's code for each error (most are the JSON name; some carry SQS's old prefix). */
const QUERY_CODES: Partial<Record<SqsErrorCode, string>> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  QueueNameExists: 'QueueAlreadyExists',
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
  BatchEntryIdsNotDistinct: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  InvalidBatchEntryId: 'AWS.SimpleQueueService.InvalidBatchEntryId',
  BatchRequestTooLong: 'AWS.SimpleQueueService.BatchRequestTooLong',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight',
};

export class SqsError extends UserError {
  constructor(
    readonly sqsCode: SqsErrorCode,
    message: string,
    hint?: string,
  ) {
    super(message, hint, sqsCode === 'QueueDoesNotExist' ? 'ResourceNotFound' : 'InvalidParameter');
  }

  get queryCode(): string {
    return QUERY_CODES[this.sqsCode] ?? this.sqsCode;
  }

  get status(): number {
    return 400;
  }
}

export function invalidParameter(message: string, hint?: string): SqsError {
  return new SqsError('InvalidParameterValue', message, hint);
}
