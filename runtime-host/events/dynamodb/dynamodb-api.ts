// DynamoDB's JSON 1.0 protocol on the local AWS endpoint (`X-Amz-Target: DynamoDB_20120810.<Operation>`):
// each request goes to the tables (tables.ts) and its answer back as DynamoDB sends it, error bodies
// included (`{"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message": …}`). The
// DynamoDB Streams API signs as `dynamodb` too: `DynamoDBStreams_20120810.*` goes to streams-api.ts.
import { randomUUID } from 'node:crypto';
import type { AwsRequest, AwsResponse, AwsServiceHandler, DynamoDbStreamDelivery, ServiceCallDescription } from '../aws-service';
import { DYNAMODB_ERROR_PREFIX, DynamoDbError } from './engine';
import { runStreamsOperation } from './streams-api';
import type { DynamoDbTables } from './tables';

const TARGET_PREFIX = 'DynamoDB_20120810.';
const STREAMS_PREFIX = 'DynamoDBStreams_20120810.';

/** The table(s) an operation acts on, for the trace. */
export function tablesOf(input: Record<string, unknown>): string | undefined {
  if (typeof input['TableName'] === 'string') return input['TableName'];
  const requests = input['RequestItems'];
  if (typeof requests === 'object' && requests !== null) return Object.keys(requests).join(',');
  const items = input['TransactItems'];
  if (Array.isArray(items)) {
    const names = new Set<string>();
    for (const it of items as Record<string, Record<string, unknown> | undefined>[]) {
      for (const spec of Object.values(it)) if (typeof spec?.['TableName'] === 'string') names.add(spec['TableName']);
    }
    return [...names].join(',') || undefined;
  }
  return undefined;
}

export class DynamoDbApi implements AwsServiceHandler {
  readonly service = 'dynamodb';
  readonly targetPrefixes = [TARGET_PREFIX, STREAMS_PREFIX];

  constructor(private readonly source: { tables(): Promise<DynamoDbTables>; streams(): DynamoDbStreamDelivery | undefined }) {}

  async handle(request: AwsRequest): Promise<AwsResponse & { call: ServiceCallDescription }> {
    const requestId = randomUUID();
    const target = String(request.headers['x-amz-target'] ?? '');
    const prefix = [TARGET_PREFIX, STREAMS_PREFIX].find((p) => target.startsWith(p));
    const operation = prefix ? target.slice(prefix.length) : target || 'Unknown';
    const answer = (status: number, body: string, call: ServiceCallDescription) => ({
      status,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId },
      body,
      call,
    });
    if (!prefix) {
      const err = new DynamoDbError(
        400,
        'com.amazon.coral.service#UnknownOperationException',
        `The local DynamoDB does not answer ${target || 'requests without X-Amz-Target'}`,
      );
      return answer(400, err.body(), { operation, errorCode: err.code });
    }
    const raw = request.body.toString('utf8');
    let input: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw || '{}');
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      input = parsed as Record<string, unknown>;
    } catch {
      const err = new DynamoDbError(400, 'com.amazon.coral.service#SerializationException', 'The request body is not a JSON object');
      return answer(400, err.body(), { operation, errorCode: err.code });
    }
    const resource = tablesOf(input) ?? (typeof input['StreamArn'] === 'string' ? input['StreamArn'] : undefined);
    const call = { operation, ...(resource !== undefined ? { resource } : {}) };
    try {
      const tables = await this.source.tables();
      const res =
        prefix === STREAMS_PREFIX
          ? { status: 200, body: JSON.stringify(await runStreamsOperation(operation, input, tables, this.source.streams())) }
          : await tables.run(operation, input, raw);
      return answer(res.status, res.body, res.status >= 300 ? { ...call, errorCode: errorCodeOf(res.body) } : call);
    } catch (err) {
      if (!(err instanceof DynamoDbError)) throw err;
      return answer(err.status, err.body(), { ...call, errorCode: err.code });
    }
  }
}

function errorCodeOf(body: string): string {
  try {
    const type = (JSON.parse(body) as { __type?: unknown }).__type;
    if (typeof type === 'string') return type.slice(type.lastIndexOf('#') + 1);
  } catch {
    // not JSON: dynalite's bare <UnknownOperationException/>
  }
  return `${DYNAMODB_ERROR_PREFIX}InternalServerError`.slice(DYNAMODB_ERROR_PREFIX.length);
}
