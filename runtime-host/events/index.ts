// The simulated event sources `serve` starts, one folder each under events/.
import type { EventSource } from '../host-context';
import { HttpApiSource } from './http-api';
import { SavedEventsSource } from './saved-events';
import { S3Source } from './s3';
import { SnsSource } from './sns';
import { SqsSource } from './sqs';
import { StreamsSource } from './streams';

export function createEventSources(): EventSource[] {
  return [new SavedEventsSource(), new HttpApiSource(), new S3Source(), new StreamsSource(), new SnsSource(), new SqsSource()];
}
