// EventSource 'streams': Kinesis streams and DynamoDB streams named by the functions' `Kinesis` /
// `DynamoDB` events, records put through `stream.putRecords` (and `lambda-workbench stream put`),
// and one EventSourceMapping per event. Stream layout: a Kinesis stream's ShardCount comes from its
// AWS::Kinesis::Stream resource (ON_DEMAND → 4 shards as AWS starts them; otherwise 1); a
// DynamoDB stream has one shard and the table's StreamViewType (default NEW_AND_OLD_IMAGES).
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventSource, HostContext, MethodHandlers, TemplateResource } from '../../host-context';
import type { AwsServiceHandler } from '../aws-service';
import { callerOf, destinationOfArn, sendToQueueOrTopic } from '../async-destinations';
import { KinesisApi } from './kinesis-api';
import type { FunctionInfo } from '../../protocol/functions';
import type { InvocationRecord } from '../../protocol/records';
import type { StreamFailureInfo, StreamRecordInput } from '../../protocol/methods';
import { UserError } from '../../runtime/types';
import { invalidParams } from '../../server/json-rpc';
import { MethodParams } from '../../server/method-params';
import { parseFilterCriteria } from '../filter-criteria';
import { EventSourceMapping, type MappingConfig } from './event-source-mapping';
import {
  dynamoDbRecord,
  dynamoDbStreamArn,
  kinesisStreamArn,
  LOCAL_STREAM_LABEL,
  validateDynamoDbChange,
  type StreamIdentity,
  type StreamKind,
  type StreamViewType,
} from './stream-event';
import { readJsonLines } from '../../util/json-lines';
import { Stream } from './stream-store';

export interface StreamsSourceOptions {
  /** Back-off between retries of a failed batch (tests use short ones). */
  retryDelaysMs?: number[];
}

const MAX_RECORDS_PER_PUT = 500;
const MAX_RECORD_BYTES = 1_048_576;
const VIEW_TYPES = new Set(['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES']);

interface WantedMapping {
  id: string;
  fn: FunctionInfo;
  eventName: string;
  kind: StreamKind;
  stream: string;
  config: MappingConfig;
}

export class StreamsSource implements EventSource {
  readonly name = 'streams';
  private context!: HostContext;
  private readonly streams = new Map<string, Stream>();
  private readonly opening = new Map<string, Promise<Stream>>();
  private readonly mappings = new Map<string, { mapping: EventSourceMapping; signature: string }>();
  private failures: StreamFailureInfo[] = [];
  private failuresFile = '';
  private unsubscribe?: () => void;
  private reconcile: Promise<void> = Promise.resolve();

  constructor(private readonly options: StreamsSourceOptions = {}) {}

  async start(context: HostContext): Promise<void> {
    this.context = context;
    const dir = join(context.stateDir, 'streams');
    await mkdir(dir, { recursive: true });
    this.failuresFile = join(dir, 'failures.jsonl');
    this.failures = await readJsonLines<StreamFailureInfo>(this.failuresFile, (m) => context.log.warn(`streams: ${m}`));
    context.dynamoDbStreams = {
      appendChanges: async (table, viewType, changes) => {
        const stream = await this.openStream('dynamodb', table, { shardCount: 1, viewType });
        stream.meta.viewType = viewType;
        if (changes.length > 0) await stream.put(changes.map((c) => ({ partitionKey: JSON.stringify(c.Keys), dynamodb: c })));
      },
      streamArn: (table) => dynamoDbStreamArn(context.region, context.accountId, table, LOCAL_STREAM_LABEL),
      readStream: (table, after, limit) => {
        const stream = this.streams.get(`dynamodb:${table}`);
        const shard = stream?.shards[0];
        if (!stream || !shard) return undefined;
        const identity = this.identity(stream);
        const from = shard.indexAfter(after);
        return {
          shardId: shard.shardId,
          records: shard.records.slice(from, from + limit).map((r) => dynamoDbRecord(r, identity)),
          first: shard.records[0]?.sequenceNumber ?? null,
          last: shard.latest(),
        };
      },
    };
    await this.apply(context.functions.list());
    this.unsubscribe = context.functions.onDidChange((fns) => {
      this.reconcile = this.reconcile.then(() => this.apply(fns)).catch((err: unknown) => context.log.error(`streams: ${(err as Error).message}`));
    });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.reconcile;
    await Promise.all([...this.mappings.values()].map((m) => m.mapping.stop()));
    this.mappings.clear();
    await Promise.all([...this.streams.values()].map((s) => s.close()));
  }

  awsService(): AwsServiceHandler {
    return new KinesisApi(this, this.context);
  }

  /** The open Kinesis streams (the functions' and the template's `AWS::Kinesis::Stream`s). */
  kinesisStreams(): { stream: Stream; identity: StreamIdentity }[] {
    return [...this.streams.values()].filter((s) => s.meta.kind === 'kinesis').map((stream) => ({ stream, identity: this.identity(stream) }));
  }

  /** A Kinesis stream by name or ARN; a UserError (ResourceNotFoundException) when there is none. */
  kinesisStream(nameOrArn: string): { stream: Stream; identity: StreamIdentity } {
    const name = /^arn:aws[\w-]*:kinesis:[^:]*:[^:]*:stream\/([^/]+)$/.exec(nameOrArn)?.[1] ?? nameOrArn;
    const stream = this.streams.get(`kinesis:${name}`);
    if (!stream) {
      const known = this.kinesisStreams()
        .map((s) => s.stream.name)
        .join(', ');
      throw new UserError(`Stream ${name} under account ${this.context.accountId} not found.`, `known Kinesis streams: ${known || 'none'}`, 'ResourceNotFound');
    }
    return { stream, identity: this.identity(stream) };
  }

  methods(): MethodHandlers {
    return {
      'stream.putRecords': async (params) => {
        const p = new MethodParams(params, 'stream.putRecords', '{"stream":"orders","records":[{"partitionKey":"k","data":"…"}]}');
        const stream = p.string('stream', 'a stream name');
        const records = p.array('records', 'an array of records');
        records.forEach((r, i) => {
          if (typeof r !== 'object' || r === null || Array.isArray(r)) p.element(`records[${i}]`, 'an object', r);
        });
        try {
          return await this.putRecords(stream, records as StreamRecordInput[]);
        } catch (err) {
          // The record checks are params checks too: the same -32602, naming the record and field.
          if (err instanceof UserError && err.code === 'InvalidParameter')
            throw invalidParams(`Invalid params: stream.putRecords: ${err.message}`, err.hint ?? `stream.putRecords: ${err.message}`);
          throw err;
        }
      },
      'stream.list': async () =>
        [...this.streams.values()].map((s) => ({
          name: s.name,
          kind: s.meta.kind,
          shards: s.shards.length,
          arn: this.identity(s).arn,
          records: s.recordCount(),
          functions: [...this.mappings.values()].filter((m) => m.mapping.id.startsWith(`${s.meta.kind}:${s.name}:`)).map((m) => m.mapping.fn.name),
        })),
      'stream.listFailures': async (params) => {
        const p = new MethodParams(params, 'stream.listFailures', '{"stream":"orders","function":"Consumer"}');
        const stream = p.optionalString('stream');
        const fn = p.optionalString('function');
        return this.failures.filter((f) => (stream === undefined || f.stream === stream) && (fn === undefined || f.function === fn));
      },
    };
  }

  /** Opens the streams the functions name and (re)starts the mappings whose configuration changed. */
  private async apply(functions: FunctionInfo[]): Promise<void> {
    const resources = this.context.functions.resources();
    const wanted: WantedMapping[] = [];
    for (const fn of functions) {
      if (fn.supported === false) continue;
      for (const ev of fn.events) {
        if (ev.type !== 'Kinesis' && ev.type !== 'DynamoDB') continue;
        const kind: StreamKind = ev.type === 'Kinesis' ? 'kinesis' : 'dynamodb';
        const props = eventProperties(resources, fn.name, ev.name);
        const config = mappingConfig(props, ev.batchSize, ev.startingPosition, kind);
        if (typeof config === 'string') {
          this.context.log.warn(`streams: ${fn.name}/${ev.name}: ${config}; the mapping is not started`);
          continue;
        }
        wanted.push({ id: `${kind}:${ev.stream}:${fn.name}/${ev.name}`, fn, eventName: ev.name, kind, stream: ev.stream, config });
      }
    }
    // Streams the template declares are there for the Kinesis API even when no function reads them.
    const declared: { kind: StreamKind; stream: string }[] = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::Kinesis::Stream')
      .map(([id, r]) => ({ kind: 'kinesis' as const, stream: typeof r.Properties?.['Name'] === 'string' ? r.Properties['Name'] : id }));
    for (const w of [...wanted, ...declared]) {
      if (!this.streams.has(`${w.kind}:${w.stream}`)) await this.openStream(w.kind, w.stream, streamLayout(resources, w.kind, w.stream));
    }
    const wantedIds = new Set(wanted.map((w) => w.id));
    for (const [id, entry] of [...this.mappings]) {
      const w = wanted.find((x) => x.id === id);
      if (!w || JSON.stringify(w.config) !== entry.signature) {
        // Let the batch in flight finish: a code edit must not re-deliver it.
        await entry.mapping.stop(false);
        this.mappings.delete(id);
      } else {
        entry.mapping.fn = w.fn;
      }
    }
    for (const w of wanted) {
      if (this.mappings.has(w.id) || !wantedIds.has(w.id)) continue;
      const stream = this.streams.get(`${w.kind}:${w.stream}`)!;
      const mapping = new EventSourceMapping(w.id, w.fn, w.eventName, w.config, stream, this.identity(stream), this.context, {
        ...(this.options.retryDelaysMs ? { retryDelaysMs: this.options.retryDelaysMs } : {}),
        onDiscard: (f, last) => this.recordFailure(f, last),
      });
      this.mappings.set(w.id, { mapping, signature: JSON.stringify(w.config) });
      await mapping.start();
    }
  }

  /** The stream, opened once even when the template and a table's first write ask for it at the same time. */
  private openStream(kind: StreamKind, name: string, layout: { shardCount: number; viewType: StreamViewType }): Promise<Stream> {
    const key = `${kind}:${name}`;
    const open = this.streams.get(key);
    if (open) return Promise.resolve(open);
    let opening = this.opening.get(key);
    if (!opening) {
      opening = Stream.open(this.context.stateDir, { kind, name, ...layout }, (m) => this.context.log.warn(`streams: ${m}`)).then((s) => {
        s.beforeCheckpointWrite = () => this.context.records.written?.() ?? Promise.resolve();
        this.streams.set(key, s);
        this.opening.delete(key);
        return s;
      });
      this.opening.set(key, opening);
    }
    return opening;
  }

  private identity(s: Stream): StreamIdentity {
    const { region, accountId } = this.context;
    return {
      kind: s.meta.kind,
      name: s.name,
      arn: s.meta.kind === 'kinesis' ? kinesisStreamArn(region, accountId, s.name) : dynamoDbStreamArn(region, accountId, s.name, s.meta.label),
      region,
      accountId,
      // Read at each batch: a table's StreamViewType may change after its mapping started.
      get viewType() {
        return s.meta.viewType;
      },
    };
  }

  private findStream(nameOrArn: string): Stream {
    let kind: StreamKind | undefined;
    let name = nameOrArn;
    const table = /^arn:aws[\w-]*:dynamodb:[^:]*:[^:]*:table\/([^/]+)/.exec(nameOrArn);
    const kinesis = /^arn:aws[\w-]*:kinesis:[^:]*:[^:]*:stream\/([^/]+)$/.exec(nameOrArn);
    if (table) [kind, name] = ['dynamodb', table[1]!];
    else if (kinesis) [kind, name] = ['kinesis', kinesis[1]!];
    const candidates = [...this.streams.values()].filter((s) => s.name === name && (kind === undefined || s.meta.kind === kind));
    if (candidates.length === 1) return candidates[0]!;
    const known = [...this.streams.values()].map((s) => `${s.name} (${s.meta.kind})`).join(', ') || 'none';
    if (candidates.length > 1) {
      throw new UserError(
        `Stream name '${name}' is both a Kinesis stream and a DynamoDB table stream`,
        'pass the stream ARN to choose one',
        'InvalidParameter',
      );
    }
    throw new UserError(`Stream ${name} not found`, `streams come from the functions' Kinesis and DynamoDB events; known: ${known}`, 'ResourceNotFound');
  }

  async putRecords(streamName: string, records: StreamRecordInput[]): Promise<{ shardId: string; sequenceNumber: string }[]> {
    if (typeof streamName !== 'string' || streamName === '') throw new UserError('A stream name is required', undefined, 'InvalidParameter');
    const stream = this.findStream(streamName);
    if (!Array.isArray(records) || records.length === 0 || records.length > MAX_RECORDS_PER_PUT) {
      throw new UserError(`PutRecords takes 1 to ${MAX_RECORDS_PER_PUT} records`, undefined, 'InvalidParameter');
    }
    // Validate everything first: a rejected call puts nothing.
    const inputs = records.map((r, i) => this.recordInput(stream, r, i));
    return stream.put(inputs);
  }

  private recordInput(stream: Stream, r: StreamRecordInput, i: number): Parameters<Stream['put']>[0][number] {
    const where = `records[${i}]`;
    if (typeof r !== 'object' || r === null) throw new UserError(`${where} must be an object`, undefined, 'InvalidParameter');
    if (stream.meta.kind === 'dynamodb') {
      let change: unknown;
      if ('dynamodb' in r) change = r.dynamodb;
      else if (typeof r.data === 'string') {
        try {
          change = JSON.parse(r.data);
        } catch (err) {
          throw new UserError(
            `${where}: data is not JSON (${(err as Error).message})`,
            'for a DynamoDB stream, data is a change: {"eventName":"INSERT","Keys":{…},"NewImage":{…}}',
            'InvalidParameter',
          );
        }
      }
      const valid = validateDynamoDbChange(change);
      // Items with the same key go to the same shard, in order, as in DynamoDB Streams.
      return { partitionKey: JSON.stringify(valid.Keys), dynamodb: valid };
    }
    if ('dynamodb' in r) throw new UserError(`${where}: ${stream.name} is a Kinesis stream; give partitionKey and data`, undefined, 'InvalidParameter');
    const pk = r.partitionKey;
    if (typeof pk !== 'string' || pk.length < 1 || pk.length > 256) {
      throw new UserError(`${where}: partitionKey must be 1 to 256 characters`, undefined, 'InvalidParameter');
    }
    if (typeof r.data !== 'string') throw new UserError(`${where}: data must be a string`, undefined, 'InvalidParameter');
    const bytes = r.dataBase64 ? Buffer.from(r.data, 'base64') : Buffer.from(r.data, 'utf8');
    if (bytes.length + Buffer.byteLength(pk, 'utf8') > MAX_RECORD_BYTES) {
      throw new UserError(`${where}: data and partition key exceed ${MAX_RECORD_BYTES} bytes`, undefined, 'InvalidParameter');
    }
    if (r.explicitHashKey !== undefined && !/^\d{1,39}$/.test(r.explicitHashKey)) {
      throw new UserError(`${where}: explicitHashKey must be a decimal from 0 to 2^128-1`, undefined, 'InvalidParameter');
    }
    return { partitionKey: pk, data: bytes.toString('base64'), ...(r.explicitHashKey !== undefined ? { explicitHashKey: r.explicitHashKey } : {}) };
  }

  /**
   * Keeps a discarded batch's record in the failure list and sends it, as Lambda does, to the mapping's
   * on-failure destination (an SQS queue or SNS topic; another kind is said, and kept in the list only).
   */
  private async recordFailure(f: StreamFailureInfo, last: InvocationRecord | undefined): Promise<void> {
    this.failures.push(f);
    const destination = f.destination !== null ? destinationOfArn(f.destination) : undefined;
    const local = destination?.kind === 'sqs' || destination?.kind === 'sns';
    const sent = f.destination === null ? '' : local ? `; sent to ${f.destination}` : `; ${f.destination} is not delivered locally`;
    this.context.log.warn(
      `streams: ${f.function} discarded ${(f.record.KinesisBatchInfo ?? f.record.DDBStreamBatchInfo)!.batchSize} record(s) of ${f.stream} (${f.record.requestContext.condition})${sent}`,
    );
    await appendFile(this.failuresFile, `${JSON.stringify(f)}\n`);
    if (destination && local) {
      const caller = callerOf(last);
      await sendToQueueOrTopic(this.context, destination, { body: JSON.stringify(f.record), ...(caller ? { caller } : {}) }).catch((err: unknown) =>
        this.context.log.warn(`streams: ${f.function}: the on-failure destination ${f.destination} did not take the record: ${(err as Error).message}`),
      );
    }
  }
}

/** The raw (resolved) `Properties` of a function's event in the template, `{}` when unknown. */
function eventProperties(resources: Record<string, TemplateResource>, functionName: string, eventName: string): Record<string, unknown> {
  const events = resources[functionName]?.Properties?.['Events'];
  if (typeof events !== 'object' || events === null) return {};
  const ev = (events as Record<string, unknown>)[eventName];
  if (typeof ev !== 'object' || ev === null) return {};
  const props = (ev as Record<string, unknown>)['Properties'];
  return typeof props === 'object' && props !== null ? (props as Record<string, unknown>) : {};
}

function num(v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
}

/** The mapping's settings from its event's properties, or why it cannot run (as Lambda would refuse to create it). */
function mappingConfig(p: Record<string, unknown>, batchSize: number, startingPosition: string, kind: StreamKind): MappingConfig | string {
  const destination = (p['DestinationConfig'] as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination;
  const types = Array.isArray(p['FunctionResponseTypes']) ? (p['FunctionResponseTypes'] as unknown[]) : [];
  const positions = kind === 'kinesis' ? ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'] : ['TRIM_HORIZON', 'LATEST'];
  if (!positions.includes(startingPosition)) {
    return `StartingPosition '${startingPosition}' is not one of ${positions.join(', ')} for a ${kind === 'kinesis' ? 'Kinesis' : 'DynamoDB'} stream`;
  }
  let startingPositionTimestampMs: number | undefined;
  if (startingPosition === 'AT_TIMESTAMP') {
    const seconds = num(p['StartingPositionTimestamp'], NaN);
    if (!(seconds >= 0)) return `StartingPosition AT_TIMESTAMP needs StartingPositionTimestamp (Unix time in seconds)`;
    startingPositionTimestampMs = seconds * 1000;
  }
  const filters = parseFilterCriteria(p['FilterCriteria']);
  if (typeof filters === 'string') return filters;
  return {
    ...(filters.length ? { filters } : {}),
    batchSize: Math.max(1, Math.min(10_000, Math.floor(num(batchSize, 100)))),
    maximumBatchingWindowMs: Math.max(0, Math.min(300, num(p['MaximumBatchingWindowInSeconds'], 0))) * 1000,
    startingPosition: startingPosition as MappingConfig['startingPosition'],
    ...(startingPositionTimestampMs !== undefined ? { startingPositionTimestampMs } : {}),
    maximumRetryAttempts: Math.floor(num(p['MaximumRetryAttempts'], -1)),
    bisectBatchOnFunctionError: p['BisectBatchOnFunctionError'] === true || p['BisectBatchOnFunctionError'] === 'true',
    reportBatchItemFailures: types.includes('ReportBatchItemFailures'),
    maximumRecordAgeSeconds: Math.floor(num(p['MaximumRecordAgeInSeconds'], -1)),
    onFailureDestination: typeof destination === 'string' ? destination : null,
    enabled: p['Enabled'] !== false && p['Enabled'] !== 'false',
  };
}

/** Shard count and view type of a template's stream (a Kinesis stream, or a DynamoDB table's stream), by its name. */
export function streamLayout(resources: Record<string, TemplateResource>, kind: StreamKind, name: string): { shardCount: number; viewType: StreamViewType } {
  const type = kind === 'kinesis' ? 'AWS::Kinesis::Stream' : 'AWS::DynamoDB::Table';
  const nameProp = kind === 'kinesis' ? 'Name' : 'TableName';
  const res = Object.entries(resources).find(
    ([id, r]) => r.Type === type && (r.Properties?.[nameProp] === name || (r.Properties?.[nameProp] === undefined && id === name)),
  )?.[1];
  if (kind === 'dynamodb') {
    const spec = res?.Properties?.['StreamSpecification'] as { StreamViewType?: unknown } | undefined;
    const vt = typeof spec?.StreamViewType === 'string' && VIEW_TYPES.has(spec.StreamViewType) ? (spec.StreamViewType as StreamViewType) : 'NEW_AND_OLD_IMAGES';
    return { shardCount: 1, viewType: vt };
  }
  const mode = (res?.Properties?.['StreamModeDetails'] as { StreamMode?: unknown } | undefined)?.StreamMode;
  const count = num(res?.Properties?.['ShardCount'], mode === 'ON_DEMAND' ? 4 : 1);
  return { shardCount: Math.max(1, Math.min(64, Math.floor(count))), viewType: 'NEW_AND_OLD_IMAGES' };
}
