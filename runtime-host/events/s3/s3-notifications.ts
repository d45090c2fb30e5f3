// S3 → SQS / SNS: the queue and topic targets of a bucket's template `NotificationConfiguration`
// (`QueueConfigurations`, `TopicConfigurations`), matched against one object change the way the
// functions' own S3 events are. Pure: reads the resolved template resources, no I/O.
import type { TemplateResource } from '../../host-context';
import { subscriptionMatches, type S3ObjectChange } from './s3-event';

export interface BucketNotificationTarget {
  kind: 'queue' | 'topic';
  /** A queue/topic ARN, or a name when the template points at a resource of its own. */
  arn: string;
  /** The configuration's `Id` (S3's `configurationId` in the event). */
  id: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The bucket's resource: `BucketName` equal to the bucket, or a bucket without one whose logical id is it. */
function bucketResource(resources: Record<string, TemplateResource>, bucket: string): TemplateResource | undefined {
  return Object.entries(resources).find(
    ([id, r]) => r.Type === 'AWS::S3::Bucket' && (r.Properties?.['BucketName'] === bucket || (r.Properties?.['BucketName'] === undefined && id === bucket)),
  )?.[1];
}

/**
 * A target as the template gives it: an ARN string, or a `!GetAtt Q.Arn` / `!Ref T` the loader could
 * not resolve, read as that resource's QueueName/TopicName (else its logical id).
 */
function targetName(v: unknown, resources: Record<string, TemplateResource>): string | undefined {
  if (typeof v === 'string') return v;
  if (!isObject(v)) return undefined;
  const getAtt = v['Fn::GetAtt'];
  const ref = v['Ref'];
  const logicalId = Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : typeof ref === 'string' ? ref : undefined;
  if (logicalId === undefined) return undefined;
  const props = resources[logicalId]?.Properties ?? {};
  const name = props['QueueName'] ?? props['TopicName'];
  return typeof name === 'string' ? name : logicalId;
}

function keyRules(filter: unknown): { prefix?: string; suffix?: string } {
  const rules = isObject(filter) && isObject(filter['S3Key']) ? filter['S3Key']['Rules'] : undefined;
  const out: { prefix?: string; suffix?: string } = {};
  if (!Array.isArray(rules)) return out;
  for (const r of rules) {
    if (!isObject(r) || typeof r['Value'] !== 'string') continue;
    const name = String(r['Name']).toLowerCase();
    if (name === 'prefix') out.prefix = r['Value'];
    if (name === 'suffix') out.suffix = r['Value'];
  }
  return out;
}

export function bucketNotificationTargets(
  resources: Record<string, TemplateResource>,
  change: Pick<S3ObjectChange, 'bucket' | 'key' | 'eventName'>,
): BucketNotificationTarget[] {
  const config = bucketResource(resources, change.bucket)?.Properties?.['NotificationConfiguration'];
  if (!isObject(config)) return [];
  const out: BucketNotificationTarget[] = [];
  const families: [string, string, BucketNotificationTarget['kind']][] = [
    ['QueueConfigurations', 'Queue', 'queue'],
    ['TopicConfigurations', 'Topic', 'topic'],
  ];
  for (const [list, field, kind] of families) {
    const entries = config[list];
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry: unknown, i) => {
      if (!isObject(entry) || typeof entry['Event'] !== 'string') return;
      const arn = targetName(entry[field], resources);
      if (arn === undefined) return;
      const id = typeof entry['Id'] === 'string' ? entry['Id'] : `${kind}-${i + 1}`;
      const sub = { type: 'S3' as const, name: id, bucket: change.bucket, events: [entry['Event']], ...keyRules(entry['Filter']) };
      if (subscriptionMatches(sub, change)) out.push({ kind, arn, id });
    });
  }
  return out;
}
