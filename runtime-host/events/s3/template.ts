// SAM `S3` events: the bucket, the event types and the key prefix/suffix filter a function subscribes with.
import type { EventSourceInfo } from '../../protocol/functions';
import { isRecord } from '../../util/values';
import type { TemplateEventParser } from '../template-events';

export const s3Event: TemplateEventParser = ({ name, props: p }, h): EventSourceInfo => {
  const events = Array.isArray(p.Events) ? p.Events.map(h.textOrMarker) : p.Events !== undefined ? [h.textOrMarker(p.Events)] : [];
  const rules = isRecord(p.Filter) && isRecord(p.Filter.S3Key) && Array.isArray(p.Filter.S3Key.Rules) ? p.Filter.S3Key.Rules : [];
  const rule = (kind: string) => {
    const r: unknown = rules.find((x) => isRecord(x) && String(x.Name).toLowerCase() === kind);
    return isRecord(r) ? h.text(r.Value) : undefined;
  };
  const prefix = rule('prefix');
  const suffix = rule('suffix');
  return {
    type: 'S3',
    name,
    bucket: typeof p.Bucket === 'string' ? p.Bucket : (h.refTarget(p.Bucket) ?? h.textOrMarker(p.Bucket)),
    events,
    ...(prefix !== undefined ? { prefix } : {}),
    ...(suffix !== undefined ? { suffix } : {}),
  };
};
