// SAM `Schedule` (EventBridge rule) and `ScheduleV2` (EventBridge Scheduler) events: the schedule expression.
import type { EventSourceInfo } from '../../protocol/functions';
import type { TemplateEventParser } from '../template-events';

export const scheduleEvent: TemplateEventParser = ({ name, type, props: p }, h): EventSourceInfo => ({
  type: 'Schedule',
  name,
  schedule: h.textOrMarker(type === 'Schedule' ? p.Schedule : p.ScheduleExpression),
});
