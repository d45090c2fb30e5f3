// SAM `SQS` events: the queue an event source mapping polls and its batch size.
import type { EventSourceInfo } from '../../protocol/functions';
import type { TemplateEventParser } from '../template-events';

export const sqsEvent: TemplateEventParser = ({ name, props: p }, h): EventSourceInfo => ({
  type: 'SQS',
  name,
  queue: h.nameFromArn(p.Queue),
  batchSize: h.batchSize(p, 10),
});
