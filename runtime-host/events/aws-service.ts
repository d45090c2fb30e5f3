// The contract between the local AWS endpoint (server/aws-endpoint.ts, one listener on 127.0.0.1 that
// speaks each service's wire protocol) and the event sources that own a service's state (events/s3,
// events/sqs, events/sns, events/streams, the Lambda Invoke API). An event source that answers AWS API
// calls returns an `AwsServiceHandler` from `EventSource.awsService()`; the endpoint routes a request to
// it by the SigV4 credential scope (`Credential=…/<date>/<region>/<service>/aws4_request`), then by
// `X-Amz-Target`, then by path, and checks `Host` before any of that.
import type { IncomingHttpHeaders } from 'node:http';
import type { DynamoDbChangeInput } from '../protocol/methods';
import type { ServiceCallSpan } from '../protocol/records';
import type { StreamViewType } from './streams/stream-event';

/** One AWS API request as it reached the endpoint, body fully read. */
export interface AwsRequest {
  method: string;
  /** Decoded path without the query, e.g. `/photos/summer%202024/a.jpg` stays encoded: `rawPath` is what came. */
  path: string;
  rawPath: string;
  query: URLSearchParams;
  /** Lower-case header names, as Node gives them. */
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** S3 virtual-hosted addressing: `<bucket>.localhost[:port]` → `bucket`. */
  virtualHostBucket?: string;
  /** The SigV4 credential scope's region (or the host's region when the request is unsigned). */
  region: string;
  /** The invocation that made the call, found from the `X-Amzn-Trace-Id` the SDK forwards from `_X_AMZN_TRACE_ID`. */
  caller?: CallerInvocation;
}

export interface CallerInvocation {
  /** Record id of the in-flight invocation (records caused by this call get it as `parentId`). */
  recordId: string;
  /** The trace root (`1-xxxxxxxx-…`) shared by the whole chain. */
  traceId: string;
}

export interface AwsResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface AwsServiceHandler {
  /** SigV4 signing name: 's3', 'sqs', 'sns', 'kinesis', 'lambda', 'dynamodb', 'events'. */
  readonly service: string;
  /** `X-Amz-Target` prefixes this service answers (`AmazonSQS.`, `Kinesis_20131202.`), for unsigned JSON requests. */
  readonly targetPrefixes?: readonly string[];
  /** Answers every request, unsupported operations included (with the service's own error shape naming the operation). */
  handle(request: AwsRequest): Promise<AwsResponse & { call: ServiceCallDescription }>;
}

/** What the handler tells the trace about the call it just answered. */
export interface ServiceCallDescription {
  /** The API operation, e.g. `PutObject`, `SendMessage`. */
  operation: string;
  /** The resource it acted on (bucket/key, queue name, topic name, stream name, function name). */
  resource?: string;
  /** The service's error code when it failed (`NoSuchKey`, `QueueDoesNotExist`…). */
  errorCode?: string;
  /** A call from outside any function that started records of its own (EventBridge events): the trace they share with the call. */
  traceId?: string;
}

/** Where service calls are recorded: the trace book (records/trace-book.ts) implements it. */
export interface ServiceCallRecorder {
  /** The in-flight invocation whose trace header this is (undefined when the call came from outside a function). */
  callerOf(traceHeader: string | undefined): CallerInvocation | undefined;
  /** Append one answered call to the caller's record (and announce it), or keep it as a top-level span when there is no caller. */
  record(span: ServiceCallSpan): void;
}

/** A message one service hands to another (SNS → SQS subscription, S3 → SQS notification, EventBridge → SQS). */
export interface ServiceMessage {
  body: string;
  /** SQS/SNS message attributes, as the SQS JSON protocol spells them. */
  attributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  /** FIFO targets. */
  messageGroupId?: string;
  deduplicationId?: string;
  /** The chain this delivery belongs to (its records get this parent and trace). */
  caller?: CallerInvocation;
}

/** Set on the host context by the SQS source when it starts: how other services deliver into queues. */
export interface QueueDelivery {
  /** `queue` is a name, an ARN or a queue URL. Rejects with a UserError when there is no such queue. */
  sendToQueue(queue: string, message: ServiceMessage): Promise<{ messageId: string }>;
}

/** Set on the host context by the SNS source when it starts: how other services publish to topics. */
export interface TopicDelivery {
  /** `topic` is a name or an ARN. */
  publishToTopic(topic: string, message: ServiceMessage & { subject?: string }): Promise<{ messageId: string }>;
}

/** Set on the host context by the S3 source when it starts: how other services write objects into buckets. */
export interface ObjectDelivery {
  /** Rejects with a UserError when there is no such bucket. */
  putObject(bucket: string, key: string, body: string, caller?: CallerInvocation): Promise<void>;
}

/** Set on the host context by the EventBridge source when it starts: how other services put events on buses. */
export interface EventBusDelivery {
  /** PutEvents' entries (EventBusName a name or an ARN), answered entry by entry as PutEvents answers them. */
  putEvents(
    entries: { Source: string; DetailType: string; Detail: string; EventBusName: string; Resources?: string[] }[],
    caller: CallerInvocation | undefined,
  ): Promise<({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[]>;
}

/** Set on the host context by the streams source when it starts: how DynamoDB tables add their item changes to their streams. */
export interface DynamoDbStreamDelivery {
  /** Appends in order to the table's stream (opened with `viewType` when new); resolves once they are on disk. */
  appendChanges(table: string, viewType: StreamViewType, changes: DynamoDbChangeInput[]): Promise<void>;
  /** The table's stream ARN (what records carry as eventSourceARN). */
  streamArn(table: string): string;
  /**
   * Up to `limit` records of the table's stream (one shard) after sequence number `after` (null: from the oldest), as
   * Lambda would deliver them; `first`/`last` are the shard's oldest and newest sequence numbers. Undefined: no stream yet.
   */
  readStream(
    table: string,
    after: string | null,
    limit: number,
  ): { shardId: string; records: Record<string, unknown>[]; first: string | null; last: string | null } | undefined;
}
