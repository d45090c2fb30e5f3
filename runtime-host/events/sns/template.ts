// SAM `SNS` events: the topic a function subscribes to, with its filter policy and the policy's scope.
import type { EventSourceInfo } from '../../protocol/functions';
import type { TemplateEventParser } from '../template-events';

export const snsEvent: TemplateEventParser = ({ name, props: p }, h): EventSourceInfo => {
  const scope = h.text(p.FilterPolicyScope);
  return {
    type: 'SNS',
    name,
    topic: h.nameFromArn(p.Topic),
    ...(p.FilterPolicy !== undefined ? { filterPolicy: p.FilterPolicy } : {}),
    ...(scope === 'MessageAttributes' || scope === 'MessageBody' ? { filterPolicyScope: scope } : {}),
  };
};
