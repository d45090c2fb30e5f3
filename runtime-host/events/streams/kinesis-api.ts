// The Kinesis Data Streams API (JSON 1.1, `X-Amz-Target: Kinesis_20131202.<Operation>`) over the
// streams source's Kinesis streams: PutRecord(s), DescribeStream(Summary), ListShards, ListStreams,
// GetShardIterator and GetRecords. The JS client sends JSON over h2c; the endpoint takes both.
// Shard iterators are opaque to clients: ours carry the stream, shard and position, base64url.
import type { HostContext } from '../../host-context';
import { UserError } from '../../runtime/types';
import type { AwsRequest, AwsResponse, AwsServiceHandler, ServiceCallDescription } from '../aws-service';
import { shardRanges } from './sharding';
import type { StreamIdentity } from './stream-event';
import type { Shard, Stream } from './stream-store';
import type { StreamsSource } from './streams-source';

type Answer = AwsResponse & { call: ServiceCallDescription };
type Json = Record<string, unknown>;

const TARGET_PREFIX = 'Kinesis_20131202.';
const MAX_GET_RECORDS = 10_000;

class KinesisError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Iterator {
  /** Stream name. */
  s: string;
  /** Shard index. */
  h: number;
  /** Return records after this sequence number (null: from the oldest). */
  a: string | null;
}

function encodeIterator(it: Iterator): string {
  return Buffer.from(JSON.stringify(it), 'utf8').toString('base64url');
}

function decodeIterator(text: unknown): Iterator {
  try {
    const it = JSON.parse(Buffer.from(String(text), 'base64url').toString('utf8')) as Iterator;
    if (typeof it.s === 'string' && Number.isInteger(it.h) && (it.a === null || typeof it.a === 'string')) return it;
  } catch {
    // falls through to the error
  }
  throw new KinesisError('InvalidArgumentException', 'Invalid ShardIterator.');
}

function str(body: Json, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' ? v : undefined;
}

export class KinesisApi implements AwsServiceHandler {
  readonly service = 'kinesis';
  readonly targetPrefixes = [TARGET_PREFIX];

  constructor(
    private readonly source: StreamsSource,
    private readonly context: HostContext,
  ) {}

  async handle(request: AwsRequest): Promise<Answer> {
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target || 'Unknown';
    let body: Json = {};
    let resource: string | undefined;
    try {
      if (request.body.length > 0) {
        const parsed: unknown = JSON.parse(request.body.toString('utf8'));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new KinesisError('SerializationException', 'The request body must be a JSON object');
        body = parsed as Json;
      }
      resource = str(body, 'StreamName') ?? str(body, 'StreamARN')?.split('/').pop();
      const result = await this.run(operation, body);
      return {
        status: 200,
        headers: { 'content-type': 'application/x-amz-json-1.1' },
        body: JSON.stringify(result),
        call: { operation, ...(resource ? { resource } : {}) },
      };
    } catch (err) {
      const e =
        err instanceof KinesisError
          ? err
          : err instanceof SyntaxError
            ? new KinesisError('SerializationException', `The request body is not JSON: ${err.message}`)
            : err instanceof UserError
              ? new KinesisError(
                  err.code === 'ResourceNotFound'
                    ? 'ResourceNotFoundException'
                    : err.code === 'InvalidParameter'
                      ? 'ValidationException'
                      : 'InvalidArgumentException',
                  err.message,
                )
              : undefined;
      if (!e) throw err;
      return {
        status: 400,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': e.code },
        body: JSON.stringify({ __type: e.code, message: e.message }),
        call: { operation, ...(resource ? { resource } : {}), errorCode: e.code },
      };
    }
  }

  private stream(body: Json): { stream: Stream; identity: StreamIdentity } {
    const name = str(body, 'StreamARN') ?? str(body, 'StreamName');
    if (!name) throw new KinesisError('ValidationException', 'Either StreamName or StreamARN should be provided.');
    return this.source.kinesisStream(name);
  }

  private async run(operation: string, body: Json): Promise<Json> {
    switch (operation) {
      case 'PutRecord': {
        const { stream } = this.stream(body);
        const [placed] = await this.source.putRecords(stream.name, [recordInput(body)]);
        return { ShardId: placed!.shardId, SequenceNumber: placed!.sequenceNumber, EncryptionType: 'NONE' };
      }
      case 'PutRecords': {
        const { stream } = this.stream(body);
        const records = body['Records'];
        if (!Array.isArray(records))
          throw new KinesisError(
            'ValidationException',
            '1 validation error detected: Value null at \u2019records\u2019 failed to satisfy constraint: Member must not be null',
          );
        const placed = await this.source.putRecords(
          stream.name,
          records.map((r: unknown) => recordInput((r ?? {}) as Json)),
        );
        return { FailedRecordCount: 0, Records: placed.map((p) => ({ ShardId: p.shardId, SequenceNumber: p.sequenceNumber })), EncryptionType: 'NONE' };
      }
      case 'DescribeStream': {
        const { stream, identity } = this.stream(body);
        return {
          StreamDescription: {
            ...this.summary(stream, identity),
            Shards: shardsOf(stream),
            HasMoreShards: false,
          },
        };
      }
      case 'DescribeStreamSummary': {
        const { stream, identity } = this.stream(body);
        return { StreamDescriptionSummary: { ...this.summary(stream, identity), OpenShardCount: stream.shards.length, ConsumerCount: 0 } };
      }
      case 'ListShards': {
        const { stream } = this.stream(body);
        return { Shards: shardsOf(stream) };
      }
      case 'ListStreams': {
        const all = this.source.kinesisStreams().sort((a, b) => a.stream.name.localeCompare(b.stream.name));
        return {
          StreamNames: all.map((s) => s.stream.name),
          HasMoreStreams: false,
          StreamSummaries: all.map((s) => ({
            StreamName: s.stream.name,
            StreamARN: s.identity.arn,
            StreamStatus: 'ACTIVE',
            StreamModeDetails: { StreamMode: 'PROVISIONED' },
            StreamCreationTimestamp: Date.parse(s.stream.meta.createdAt) / 1000,
          })),
        };
      }
      case 'GetShardIterator':
        return { ShardIterator: this.shardIterator(body) };
      case 'GetRecords':
        return this.getRecords(body);
      default:
        throw new KinesisError(
          'UnknownOperationException',
          `${operation} is not supported by the local Kinesis (supported: PutRecord, PutRecords, DescribeStream, DescribeStreamSummary, ListShards, ListStreams, GetShardIterator, GetRecords)`,
        );
    }
  }

  private summary(stream: Stream, identity: StreamIdentity): Json {
    return {
      StreamName: stream.name,
      StreamARN: identity.arn,
      StreamStatus: 'ACTIVE',
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      RetentionPeriodHours: 24,
      StreamCreationTimestamp: Date.parse(stream.meta.createdAt) / 1000,
      EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
      EncryptionType: 'NONE',
    };
  }

  private shard(stream: Stream, shardId: unknown): Shard {
    const shard = stream.shards.find((s) => s.shardId === shardId);
    if (!shard)
      throw new KinesisError(
        'ResourceNotFoundException',
        `Shard ${String(shardId)} in stream ${stream.name} under account ${this.context.accountId} does not exist`,
      );
    return shard;
  }

  private shardIterator(body: Json): string {
    const { stream } = this.stream(body);
    const shard = this.shard(stream, body['ShardId']);
    const type = str(body, 'ShardIteratorType');
    const seq = str(body, 'StartingSequenceNumber');
    let after: string | null;
    switch (type) {
      case 'TRIM_HORIZON':
        after = null;
        break;
      case 'LATEST':
        after = shard.latest();
        break;
      case 'AT_SEQUENCE_NUMBER':
      case 'AFTER_SEQUENCE_NUMBER': {
        if (!seq || !/^\d+$/.test(seq)) throw new KinesisError('InvalidArgumentException', `StartingSequenceNumber is required for ${type}`);
        after = type === 'AFTER_SEQUENCE_NUMBER' ? seq : BigInt(seq) > 0n ? (BigInt(seq) - 1n).toString() : null;
        break;
      }
      case 'AT_TIMESTAMP': {
        const ts = Number(body['Timestamp']);
        if (!Number.isFinite(ts)) throw new KinesisError('InvalidArgumentException', 'Timestamp is required for AT_TIMESTAMP');
        after = shard.lastArrivedBefore(ts * 1000);
        break;
      }
      default:
        throw new KinesisError(
          'ValidationException',
          `1 validation error detected: Value '${String(type)}' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]`,
        );
    }
    return encodeIterator({ s: stream.name, h: shard.index, a: after });
  }

  private getRecords(body: Json): Json {
    const it = decodeIterator(body['ShardIterator']);
    const { stream } = this.source.kinesisStream(it.s);
    const shard = stream.shards[it.h];
    if (!shard) throw new KinesisError('ResourceNotFoundException', 'The shard of this iterator does not exist');
    const limit = body['Limit'] === undefined ? MAX_GET_RECORDS : Number(body['Limit']);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_GET_RECORDS)
      throw new KinesisError('ValidationException', `Limit must be between 1 and ${MAX_GET_RECORDS}`);
    const start = shard.indexAfter(it.a);
    const page = shard.records.slice(start, start + limit);
    const last = page[page.length - 1];
    const newest = shard.records[shard.records.length - 1];
    return {
      Records: page.map((r) => ({
        SequenceNumber: r.sequenceNumber,
        ApproximateArrivalTimestamp: r.arrivalMs / 1000,
        Data: r.data ?? '',
        PartitionKey: r.partitionKey,
        EncryptionType: 'NONE',
      })),
      NextShardIterator: encodeIterator({ ...it, a: last ? last.sequenceNumber : it.a }),
      MillisBehindLatest: last && newest && last !== newest ? Math.max(0, newest.arrivalMs - last.arrivalMs) : 0,
    };
  }
}

/** PutRecord / PutRecords entry → the streams source's record input (Data is base64 on the wire). */
function recordInput(r: Json): { partitionKey: string; data: string; dataBase64: true; explicitHashKey?: string } {
  const data = r['Data'];
  if (typeof data !== 'string')
    throw new KinesisError(
      'ValidationException',
      '1 validation error detected: Value null at \u2019data\u2019 failed to satisfy constraint: Member must not be null',
    );
  const explicitHashKey = str(r, 'ExplicitHashKey');
  return { partitionKey: String(r['PartitionKey'] ?? ''), data, dataBase64: true, ...(explicitHashKey !== undefined ? { explicitHashKey } : {}) };
}

function shardsOf(stream: Stream): Json[] {
  const ranges = shardRanges(stream.shards.length);
  return stream.shards.map((shard, i) => ({
    ShardId: shard.shardId,
    HashKeyRange: { StartingHashKey: ranges[i]!.startingHashKey.toString(), EndingHashKey: ranges[i]!.endingHashKey.toString() },
    SequenceNumberRange: { StartingSequenceNumber: shard.records[0]?.sequenceNumber ?? '0' },
  }));
}
