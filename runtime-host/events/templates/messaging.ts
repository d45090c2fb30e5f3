// SQS, SNS, EventBridge (scheduled and custom) and CloudWatch Logs sample events (lambda-behaviour §6).
import { gzipSync } from 'node:zlib';
import { base64Id, digits, hex, isoSeconds, md5Hex, uuid } from './ids';
import { buildSnsEvent, newNotification, topicArn } from '../sns/sns-event';
import { advancedParam, param, type EventTemplate } from './types';

const region = advancedParam('region', 'us-east-1', 'AWS Region of the source');
const accountId = advancedParam('accountId', '123456789012', 'AWS account id in ARNs');

export const messagingTemplates: EventTemplate[] = [
  {
    name: 'sqs',
    source: 'SQS',
    description: 'SQS message batch (one message)',
    params: [param('queue', 'example-queue', 'queue name'), param('body', 'Hello from SQS!', 'message body'), region, accountId],
    generate: (p) => {
      const sent = Date.now();
      return {
        Records: [
          {
            messageId: uuid(),
            receiptHandle: `AQEB${base64Id(150)}`,
            body: p.body,
            attributes: {
              ApproximateReceiveCount: '1',
              SentTimestamp: String(sent),
              SenderId: `AIDA${hex(17, true)}`,
              ApproximateFirstReceiveTimestamp: String(sent + 1),
            },
            messageAttributes: {},
            md5OfBody: md5Hex(p.body!),
            eventSource: 'aws:sqs',
            eventSourceARN: `arn:aws:sqs:${p.region}:${p.accountId}:${p.queue}`,
            awsRegion: p.region,
          },
        ],
      };
    },
  },
  {
    name: 'sns',
    source: 'SNS',
    description: 'SNS notification (one record)',
    params: [
      param('topic', 'example-topic', 'topic name'),
      param('message', 'Hello from SNS!', 'message text'),
      param('subject', 'TestInvoke', 'message subject'),
      region,
      accountId,
    ],
    // The live SNS source's builder, so the sample and a real publish cannot drift apart.
    generate: (p) => {
      const arn = topicArn(p.region, p.accountId, p.topic);
      const notification = newNotification({ topicArn: arn, message: p.message, subject: p.subject });
      return buildSnsEvent(notification, `${arn}:${uuid()}`, p.region);
    },
  },
  {
    name: 'eventbridge-schedule',
    source: 'EventBridge',
    description: 'EventBridge (CloudWatch Events) scheduled event',
    params: [param('rule', 'example-schedule', 'rule name'), region, accountId],
    generate: (p) => ({
      version: '0',
      id: uuid(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: p.accountId,
      time: isoSeconds(),
      region: p.region,
      resources: [`arn:aws:events:${p.region}:${p.accountId}:rule/${p.rule}`],
      detail: {},
    }),
  },
  {
    name: 'eventbridge',
    source: 'EventBridge',
    description: 'EventBridge event as a rule delivers it (a PutEvents entry on a bus)',
    params: [
      param('source', 'com.example.shop', 'the event source'),
      param('detailType', 'OrderPlaced', 'the detail-type'),
      param('detail', '{"orderId":"o-1","total":42}', 'the detail (a JSON object)'),
      param('resources', '', 'comma-separated resource ARNs'),
      region,
      accountId,
    ],
    generate: (p) => {
      let detail: unknown;
      try {
        detail = JSON.parse(p.detail!);
      } catch {
        throw new RangeError(`detail must be a JSON object, got '${p.detail}'`);
      }
      if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) throw new RangeError(`detail must be a JSON object, got '${p.detail}'`);
      return {
        version: '0',
        id: uuid(),
        'detail-type': p.detailType,
        source: p.source,
        account: p.accountId,
        time: isoSeconds(),
        region: p.region,
        resources: p.resources ? p.resources.split(',').map((r) => r.trim()) : [],
        detail,
      };
    },
  },
  {
    name: 'cloudwatch-logs',
    source: 'CloudWatch Logs',
    description: 'CloudWatch Logs subscription (awslogs.data is gzip + base64 of the DATA_MESSAGE JSON)',
    params: [
      param('logGroup', '/aws/lambda/example', 'log group name'),
      param('logStream', '2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef', 'log stream name'),
      param('message', '[ERROR] First test message', 'the log event message'),
      param('filter', 'example-filter', 'subscription filter name'),
      accountId,
    ],
    generate: (p) => {
      const now = Date.now();
      const data = {
        messageType: 'DATA_MESSAGE',
        owner: p.accountId,
        logGroup: p.logGroup,
        logStream: p.logStream,
        subscriptionFilters: [p.filter],
        logEvents: [{ id: digits(56), timestamp: now, message: p.message }],
      };
      return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(data))).toString('base64') } };
    },
  },
];
