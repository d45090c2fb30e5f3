// The simulated event sources `serve` starts, one folder each under events/.
import type { EventSource } from '../host-context';
import { DynamoDbSource } from './dynamodb';
import { EventBridgeSource } from './eventbridge';
import { EventTestsSource } from './event-tests';
import { HttpApiSource } from './http-api';
import type { AuthorizationOptions } from './http-api/authorize';
import { SavedEventsSource } from './saved-events';
import { S3Source } from './s3';
import { ScheduleSource } from './schedule';
import { SnsSource } from './sns';
import { SqsSource } from './sqs';
import { StreamsSource } from './streams';

/** What `serve` settings configure in the sources (see protocol/settings.ts). */
export interface EventSourceOptions {
  /** The local API Gateway's port; 0 or absent: any free port. */
  httpPort?: number;
  /** When `httpPort` is taken, listen on any free port instead of failing. */
  httpPortFallback?: boolean;
  /** S3 bucket folders, relative to the project root. */
  bucketsDir?: string;
  /** How the local API Gateway checks JWTs and AWS_IAM routes. */
  authorization?: AuthorizationOptions;
  /** `serve --schedules off`: schedules fire only when fired by hand. */
  schedulesPaused?: boolean;
}

export function createEventSources(options: EventSourceOptions = {}): EventSource[] {
  return [
    new SavedEventsSource(),
    new EventTestsSource(),
    new HttpApiSource({
      ...(options.httpPort !== undefined ? { port: options.httpPort } : {}),
      ...(options.httpPortFallback !== undefined ? { anyPortIfBusy: options.httpPortFallback } : {}),
      ...(options.authorization ? { authorization: options.authorization } : {}),
    }),
    new S3Source(options.bucketsDir !== undefined ? { bucketsDir: options.bucketsDir } : {}),
    new StreamsSource(),
    // After the streams source: its tables' writes go to the streams that source keeps.
    new DynamoDbSource(),
    new SnsSource(),
    new SqsSource(),
    new ScheduleSource({ paused: options.schedulesPaused === true }),
    new EventBridgeSource(),
  ];
}
