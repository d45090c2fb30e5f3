// The simulated event sources `serve` starts, one folder each under events/.
import type { EventSource } from '../host-context';
import { HttpApiSource } from './http-api';
import type { AuthorizationOptions } from './http-api/authorize';
import { SavedEventsSource } from './saved-events';
import { S3Source } from './s3';
import { ScheduleSource } from './schedule';
import { SnsSource } from './sns';
import { SqsSource } from './sqs';
import { StreamsSource } from './streams';

export interface EventSourceOptions {
  /** How the local API Gateway checks JWTs and AWS_IAM routes. */
  authorization?: AuthorizationOptions;
  /** `serve --schedules off`: schedules fire only when fired by hand. */
  schedulesPaused?: boolean;
}

export function createEventSources(options: EventSourceOptions = {}): EventSource[] {
  return [
    new SavedEventsSource(),
    new HttpApiSource(options.authorization ? { authorization: options.authorization } : {}),
    new S3Source(),
    new StreamsSource(),
    new SnsSource(),
    new SqsSource(),
    new ScheduleSource({ paused: options.schedulesPaused === true }),
  ];
}
