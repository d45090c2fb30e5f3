// SAM `Kinesis` and `DynamoDB` events: the stream an event source mapping reads, its batch size and starting position.
import type { EventSourceInfo } from '../../protocol/functions';
import type { TemplateEventParser } from '../template-events';

export const streamEvent: TemplateEventParser = ({ name, type, props: p }, h): EventSourceInfo => ({
  type: type === 'DynamoDB' ? 'DynamoDB' : 'Kinesis',
  name,
  stream: h.nameFromArn(p.Stream),
  batchSize: h.batchSize(p, 100),
  startingPosition: h.text(p.StartingPosition) ?? 'LATEST',
});
