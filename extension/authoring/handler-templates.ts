// The handler file "New Function…" writes, per runtime and trigger: a working handler for the event the
// trigger sends, small enough to read at a glance. Pure.
import type { AuthoringRuntime, AuthoringTrigger } from './new-function';

/** The aws-lambda type of each trigger's handler (@types/aws-lambda). */
export const HANDLER_TYPES: Record<AuthoringTrigger, string> = {
  http: 'APIGatewayProxyHandlerV2',
  s3: 'S3Handler',
  sqs: 'SQSHandler',
  schedule: 'ScheduledHandler',
  none: 'Handler',
};

/** The event type a handler of the trigger takes, written out for projects without @types/aws-lambda. */
const INLINE_EVENT_TYPES: Record<AuthoringTrigger, string> = {
  http: '{ rawPath: string; queryStringParameters?: Record<string, string | undefined> }',
  s3: '{ Records: { eventName: string; s3: { bucket: { name: string }; object: { key: string; size?: number } } }[] }',
  sqs: '{ Records: { messageId: string; body: string }[] }',
  schedule: '{ time: string; resources: string[] }',
  none: 'Record<string, unknown>',
};

function jsBody(trigger: AuthoringTrigger, ts: boolean): string[] {
  switch (trigger) {
    case 'http':
      return [
        "  const name = event.queryStringParameters?.name ?? 'world';",
        '  return {',
        '    statusCode: 200,',
        "    headers: { 'content-type': 'application/json' },",
        '    body: JSON.stringify({ message: `Hello, ${name}!`, path: event.rawPath }),',
        '  };',
      ];
    case 's3':
      return [
        '  for (const record of event.Records) {',
        "    const key = decodeURIComponent(record.s3.object.key.replace(/\\+/g, ' '));",
        '    console.log(`${record.eventName}: s3://${record.s3.bucket.name}/${key}`);',
        '  }',
      ];
    case 'sqs':
      return [
        `  const batchItemFailures${ts ? ': { itemIdentifier: string }[]' : ''} = [];`,
        '  for (const record of event.Records) {',
        '    try {',
        "      console.log('message', record.messageId, record.body);",
        '    } catch (err) {',
        '      // Only the failed messages go back to the queue (ReportBatchItemFailures).',
        "      console.error('failed', record.messageId, err);",
        '      batchItemFailures.push({ itemIdentifier: record.messageId });',
        '    }',
        '  }',
        '  return { batchItemFailures };',
      ];
    case 'schedule':
      return ['  console.log(`scheduled run at ${event.time}`);'];
    case 'none':
      return ["  console.log('event', JSON.stringify(event));", '  return { ok: true, requestId: context.awsRequestId };'];
  }
}

const COMMENTS: Record<AuthoringTrigger, string> = {
  http: 'Answers GET requests to its HTTP API route (payload format 2.0).',
  s3: 'Runs for every object created in its bucket.',
  sqs: "Receives its queue's messages in batches; failed messages are retried, the others deleted.",
  schedule: 'Runs every hour (EventBridge schedule).',
  none: 'Invoked directly: the SDK, another function, a state machine.',
};

/** The handler file's text and the 0-based line of its `handler` export. */
export function handlerSource(runtime: AuthoringRuntime, trigger: AuthoringTrigger, awsLambdaTypes: boolean, name: string): { text: string; line: number } {
  const lines: string[] = [`// ${name}: ${COMMENTS[trigger]}`];
  if (runtime === 'python') return pythonSource(trigger, name);
  const params = trigger === 'none' ? '(event, context)' : '(event)';
  if (runtime === 'typescript') {
    if (awsLambdaTypes) {
      lines.push(`import type { ${HANDLER_TYPES[trigger]} } from 'aws-lambda';`, '');
      lines.push(`export const handler: ${HANDLER_TYPES[trigger]} = async ${params} => {`);
    } else {
      const ctx = trigger === 'none' ? ', context: { awsRequestId: string }' : '';
      lines.push('', `export const handler = async (event: ${INLINE_EVENT_TYPES[trigger]}${ctx}) => {`);
    }
  } else {
    lines.push('', `export const handler = async ${params} => {`);
  }
  const line = lines.length - 1;
  lines.push(...jsBody(trigger, runtime === 'typescript'), '};', '');
  return { text: lines.join('\n'), line };
}

function pythonSource(trigger: AuthoringTrigger, name: string): { text: string; line: number } {
  const head = [`# ${name}: ${COMMENTS[trigger]}`];
  const body: Record<AuthoringTrigger, string[]> = {
    http: [
      '    name = (event.get("queryStringParameters") or {}).get("name", "world")',
      '    return {',
      '        "statusCode": 200,',
      '        "headers": {"content-type": "application/json"},',
      '        "body": json.dumps({"message": f"Hello, {name}!", "path": event.get("rawPath")}),',
      '    }',
    ],
    s3: [
      '    for record in event["Records"]:',
      '        key = unquote_plus(record["s3"]["object"]["key"])',
      "        print(f\"{record['eventName']}: s3://{record['s3']['bucket']['name']}/{key}\")",
    ],
    sqs: [
      '    failures = []',
      '    for record in event["Records"]:',
      '        try:',
      '            print("message", record["messageId"], record["body"])',
      '        except Exception as err:  # only the failed messages go back to the queue',
      '            print("failed", record["messageId"], err)',
      '            failures.append({"itemIdentifier": record["messageId"]})',
      '    return {"batchItemFailures": failures}',
    ],
    schedule: ['    print(f"scheduled run at {event[\'time\']}")'],
    none: ['    print("event", json.dumps(event))', '    return {"ok": True, "requestId": context.aws_request_id}'],
  };
  const imports = trigger === 'http' || trigger === 'none' ? ['import json'] : trigger === 's3' ? ['from urllib.parse import unquote_plus'] : [];
  const lines = [...head, ...(imports.length ? ['', ...imports] : []), '', '', 'def handler(event, context):'];
  const line = lines.length - 1;
  lines.push(...body[trigger], '');
  return { text: lines.join('\n'), line };
}
