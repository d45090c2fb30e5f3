// The DynamoDB Streams API (`X-Amz-Target: DynamoDBStreams_20120810.*`, signed as `dynamodb`): ListStreams,
// DescribeStream, GetShardIterator, GetRecords over the same stream the functions' mappings read (one
// shard per table). A shard iterator is the position itself (base64 JSON), so it survives a restart.
import type { DynamoDbStreamDelivery } from '../aws-service';
import { dynamoDbError } from './engine';
import type { DynamoDbTables } from './tables';

type Json = Record<string, unknown>;

interface Iterator {
  table: string;
  /** The last sequence number read; null: before the oldest. */
  after: string | null;
}

const STREAM_ARN = /^arn:aws[\w-]*:dynamodb:[^:]*:[^:]*:table\/([^/]+)\/stream\/[^/]+$/;

function tableOfArn(arn: unknown): string {
  const m = typeof arn === 'string' ? STREAM_ARN.exec(arn) : null;
  if (!m) throw dynamoDbError('com.amazon.coral.validate#ValidationException', `Invalid StreamArn: ${String(arn)}`);
  return m[1]!;
}

function encode(it: Iterator): string {
  return Buffer.from(JSON.stringify(it)).toString('base64');
}

function decode(text: unknown): Iterator {
  try {
    const it = JSON.parse(Buffer.from(String(text), 'base64').toString('utf8')) as Iterator;
    if (typeof it.table === 'string' && (it.after === null || typeof it.after === 'string')) return it;
  } catch {
    // falls through
  }
  throw dynamoDbError('com.amazon.coral.validate#ValidationException', 'Invalid ShardIterator');
}

export async function runStreamsOperation(operation: string, input: Json, tables: DynamoDbTables, streams: DynamoDbStreamDelivery | undefined): Promise<Json> {
  if (!streams) throw dynamoDbError('com.amazon.coral.service#UnknownOperationException', 'DynamoDB Streams needs the streams source');
  const streamOf = async (table: string) => {
    const settings = tables.settingsOf(table);
    if (!settings.stream) throw dynamoDbError('ResourceNotFoundException', `Requested resource not found: Stream: ${streams.streamArn(table)} not found`);
    // Opens the stream when nothing was written to it yet.
    await streams.appendChanges(table, settings.stream, []);
    return settings.stream;
  };
  switch (operation) {
    case 'ListStreams': {
      const names = (await tables.engine.call<{ TableNames: string[] }>('ListTables', {})).TableNames;
      const wanted = typeof input['TableName'] === 'string' ? [input['TableName']] : names;
      return {
        Streams: wanted
          .filter((t) => names.includes(t) && tables.settingsOf(t).stream)
          .map((t) => ({ StreamArn: streams.streamArn(t), TableName: t, StreamLabel: streams.streamArn(t).split('/stream/')[1] })),
      };
    }
    case 'DescribeStream': {
      const table = tableOfArn(input['StreamArn']);
      const viewType = await streamOf(table);
      const keys = await tables.keySchema(table);
      const read = streams.readStream(table, null, 0);
      return {
        StreamDescription: {
          StreamArn: streams.streamArn(table),
          StreamLabel: streams.streamArn(table).split('/stream/')[1],
          StreamStatus: 'ENABLED',
          StreamViewType: viewType,
          TableName: table,
          KeySchema: keys,
          Shards: read ? [{ ShardId: read.shardId, SequenceNumberRange: { StartingSequenceNumber: read.first ?? '0' } }] : [],
        },
      };
    }
    case 'GetShardIterator': {
      const table = tableOfArn(input['StreamArn']);
      await streamOf(table);
      const read = streams.readStream(table, null, 0);
      if (!read || input['ShardId'] !== read.shardId)
        throw dynamoDbError('ResourceNotFoundException', `Requested resource not found: Shard: ${String(input['ShardId'])} not found`);
      const type = input['ShardIteratorType'];
      const seq = typeof input['SequenceNumber'] === 'string' ? input['SequenceNumber'] : undefined;
      let after: string | null;
      if (type === 'TRIM_HORIZON') after = null;
      else if (type === 'LATEST') after = read.last;
      else if ((type === 'AT_SEQUENCE_NUMBER' || type === 'AFTER_SEQUENCE_NUMBER') && seq && /^\d+$/.test(seq)) {
        after = type === 'AFTER_SEQUENCE_NUMBER' ? seq : (BigInt(seq) - 1n).toString();
      } else throw dynamoDbError('com.amazon.coral.validate#ValidationException', 'ShardIteratorType and SequenceNumber do not make a position');
      return { ShardIterator: encode({ table, after }) };
    }
    case 'GetRecords': {
      const it = decode(input['ShardIterator']);
      const limit = typeof input['Limit'] === 'number' ? Math.max(1, Math.min(1000, Math.floor(input['Limit']))) : 1000;
      await streamOf(it.table);
      const read = streams.readStream(it.table, it.after, limit)!;
      const records = read.records.map((r) => {
        const { eventSourceARN: _arn, ...rest } = r;
        return rest;
      });
      const last = records.length ? String((records[records.length - 1]!['dynamodb'] as Json)['SequenceNumber']) : it.after;
      return { Records: records, NextShardIterator: encode({ table: it.table, after: last }) };
    }
    default:
      throw dynamoDbError('com.amazon.coral.service#UnknownOperationException', `DynamoDB Streams has no operation ${operation}`);
  }
}
