// DynamoDB's API in front of the engine: most operations go to dynalite as they came; what it lacks
// the host does here. Streams: dynalite has none, so every write to a table with a stream runs under
// that table's lock, reading the item before and after, and the difference is the stream record
// (INSERT / MODIFY / REMOVE, none when nothing changed or the write failed) — exact, because no other
// write to the table can land in between. TransactWriteItems / TransactGetItems: conditions checked
// first without changing anything, then the writes, under the locks of every table involved.
// Time to Live: UpdateTimeToLive / DescribeTimeToLive, and a sweep that deletes expired items as
// DynamoDB's own service principal. StreamSpecification is kept beside the engine's data, in
// `<stateDir>/dynamodb/tables.json`, and shown in DescribeTable as DynamoDB shows it.
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { DynamoDbChangeInput } from '../../protocol/methods';
import type { DynamoDbStreamDelivery } from '../aws-service';
import { LOCAL_STREAM_LABEL, type StreamViewType } from '../streams/stream-event';
import { dynamoDbError, DynamoDbError, type DynamoDbEngine, type EngineResponse } from './engine';
import { canonicalNumber, changeOf, expressionAttributes, keyOf, type Item, type KeyElement } from './item-changes';

export interface TableSettings {
  /** The stream's view type, when the table has a stream. */
  stream?: StreamViewType;
  /** The Time to Live attribute, when TTL is enabled. */
  ttlAttribute?: string;
}

const READS = new Set([
  'GetItem',
  'BatchGetItem',
  'Query',
  'Scan',
  'DescribeTable',
  'ListTables',
  'DescribeTimeToLive',
  'ListTagsOfResource',
  'TransactGetItems',
]);
const VIEW_TYPES = new Set(['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES']);
/** Expired items older than this are left alone, as DynamoDB's TTL does. */
const TTL_HORIZON_SECONDS = 5 * 365 * 24 * 60 * 60;
const TTL_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

type Json = Record<string, unknown>;

export interface TablesOptions {
  engine: DynamoDbEngine;
  /** `<stateDir>/dynamodb/tables.json`. */
  settingsFile: string;
  region: string;
  accountId: string;
  streams: () => DynamoDbStreamDelivery | undefined;
}

export class DynamoDbTables {
  private settings: Record<string, TableSettings> = {};
  private readonly schemas = new Map<string, KeyElement[]>();
  private readonly locks = new Map<string, Promise<void>>();
  private settingsWrites: Promise<void> = Promise.resolve();
  /** Goes up with every call that may have changed items (what caches of item counts compare). */
  changes = 0;

  constructor(private readonly options: TablesOptions) {}

  async load(): Promise<void> {
    try {
      this.settings = JSON.parse(await readFile(this.options.settingsFile, 'utf8')) as Record<string, TableSettings>;
    } catch {
      this.settings = {};
    }
  }

  settingsOf(table: string): TableSettings {
    return this.settings[table] ?? {};
  }

  async setSettings(table: string, settings: TableSettings | undefined): Promise<void> {
    if (settings && (settings.stream || settings.ttlAttribute)) this.settings[table] = settings;
    else delete this.settings[table];
    const text = `${JSON.stringify(this.settings, null, 2)}\n`;
    const file = this.options.settingsFile;
    const write = this.settingsWrites.then(async () => {
      await writeFile(`${file}.tmp`, text);
      await rename(`${file}.tmp`, file);
    });
    this.settingsWrites = write.catch(() => undefined);
    await write;
    if (settings?.stream) await this.options.streams()?.appendChanges(table, settings.stream, []);
  }

  /** Opens every table's stream with its view type (a restarted host, before any write). */
  async openStreams(): Promise<void> {
    for (const [table, s] of Object.entries(this.settings)) if (s.stream) await this.options.streams()?.appendChanges(table, s.stream, []);
  }

  get engine(): DynamoDbEngine {
    return this.options.engine;
  }

  /** Runs `fn` holding the write locks of `tables` (taken in name order, so two multi-table writes never deadlock). */
  async lock<T>(tables: readonly string[], fn: () => Promise<T>): Promise<T> {
    const names = [...new Set(tables)].sort();
    const releases: (() => void)[] = [];
    for (const name of names) {
      const previous = this.locks.get(name) ?? Promise.resolve();
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const chained = previous.then(() => held);
      this.locks.set(name, chained);
      releases.push(() => {
        release();
        if (this.locks.get(name) === chained) this.locks.delete(name);
      });
      await previous;
    }
    try {
      return await fn();
    } finally {
      for (const r of releases) r();
    }
  }

  async keySchema(table: string): Promise<KeyElement[]> {
    const known = this.schemas.get(table);
    if (known) return known;
    const { Table } = await this.engine.call<{ Table: { KeySchema: KeyElement[] } }>('DescribeTable', { TableName: table });
    this.schemas.set(table, Table.KeySchema);
    return Table.KeySchema;
  }

  forget(table: string): void {
    this.schemas.delete(table);
  }

  async getItem(table: string, key: Item): Promise<Item | undefined> {
    const out = await this.engine.call<{ Item?: Item }>('GetItem', { TableName: table, Key: key, ConsistentRead: true });
    return out.Item;
  }

  /** Many items at once (BatchGetItem, 100 keys a call), in the order of `wanted`; undefined where there is none. */
  async getItems(wanted: { table: string; key: Item; keys: KeyElement[] }[]): Promise<(Item | undefined)[]> {
    const found = new Map<string, Item>();
    for (let i = 0; i < wanted.length; i += 100) {
      const chunk = wanted.slice(i, i + 100);
      let request: Record<string, { Keys: Item[]; ConsistentRead: boolean }> = {};
      for (const w of chunk) {
        const entry = (request[w.table] ??= { Keys: [], ConsistentRead: true });
        if (!entry.Keys.some((k) => keyId(k, w.keys) === keyId(w.key, w.keys))) entry.Keys.push(w.key);
      }
      while (Object.keys(request).length > 0) {
        const out = await this.engine.call<{ Responses?: Record<string, Item[]>; UnprocessedKeys?: typeof request }>('BatchGetItem', { RequestItems: request });
        for (const [table, items] of Object.entries(out.Responses ?? {})) {
          const keys = chunk.find((w) => w.table === table)!.keys;
          for (const item of items) found.set(`${table}\u0000${keyId(item, keys)}`, item);
        }
        request = out.UnprocessedKeys ?? {};
      }
    }
    return wanted.map((w) => found.get(`${w.table}\u0000${keyId(w.key, w.keys)}`));
  }

  private async emit(table: string, changes: (DynamoDbChangeInput | undefined)[]): Promise<void> {
    const viewType = this.settingsOf(table).stream;
    const real = changes.filter((c): c is DynamoDbChangeInput => c !== undefined);
    if (!viewType || real.length === 0) return;
    await this.options.streams()?.appendChanges(table, viewType, real);
  }

  streamArn(table: string): string {
    return (
      this.options.streams()?.streamArn(table) ??
      `arn:aws:dynamodb:${this.options.region}:${this.options.accountId}:table/${table}/stream/${LOCAL_STREAM_LABEL}`
    );
  }

  /** StreamSpecification, LatestStreamArn and LatestStreamLabel, as DynamoDB describes a table with a stream. */
  decorate(description: Json | undefined): Json | undefined {
    if (!description || typeof description['TableName'] !== 'string') return description;
    const viewType = this.settingsOf(description['TableName']).stream;
    if (!viewType) return description;
    return {
      ...description,
      StreamSpecification: { StreamEnabled: true, StreamViewType: viewType },
      LatestStreamLabel: LOCAL_STREAM_LABEL,
      LatestStreamArn: this.streamArn(description['TableName']),
    };
  }

  /** One API call: the engine's answer, or the host's for what the engine does not do. DynamoDB errors are thrown as DynamoDbError. */
  async run(operation: string, input: Json, raw: string): Promise<EngineResponse> {
    try {
      return await this.answer(operation, input, raw);
    } finally {
      // Counted once the write has landed: a count taken while it ran is then known to be stale.
      if (!READS.has(operation)) this.changes++;
    }
  }

  private async answer(operation: string, input: Json, raw: string): Promise<EngineResponse> {
    switch (operation) {
      case 'PutItem':
      case 'UpdateItem':
      case 'DeleteItem':
        return this.withItemOnConditionFailure(operation, input, await this.writeItem(operation, input, raw));
      case 'BatchWriteItem':
        return this.batchWrite(input, raw);
      case 'TransactWriteItems':
        return ok(await this.transactWrite(input));
      case 'TransactGetItems':
        return ok(await this.transactGet(input));
      case 'CreateTable':
        return ok(await this.createTable(input));
      case 'DeleteTable':
        return ok(await this.deleteTable(input));
      case 'UpdateTable':
        return ok(await this.updateTable(input));
      case 'DescribeTable': {
        const out = await this.engine.call<{ Table: Json }>('DescribeTable', input);
        return ok({ Table: this.decorate(out.Table) });
      }
      case 'UpdateTimeToLive':
        return ok(await this.updateTimeToLive(input));
      case 'DescribeTimeToLive':
        return ok(await this.describeTimeToLive(input));
      default:
        return this.engine.send(operation, raw);
    }
  }

  /** PutItem / UpdateItem / DeleteItem; on a table with a stream, with the item read before and after under the table's lock. */
  async writeItem(operation: 'PutItem' | 'UpdateItem' | 'DeleteItem', input: Json, raw: string): Promise<EngineResponse> {
    try {
      return await this.writeItemNow(operation, input, raw);
    } finally {
      this.changes++;
    }
  }

  private async writeItemNow(operation: 'PutItem' | 'UpdateItem' | 'DeleteItem', input: Json, raw: string): Promise<EngineResponse> {
    const table = input['TableName'];
    if (typeof table !== 'string' || !this.settingsOf(table).stream) return this.engine.send(operation, raw);
    return this.lock([table], async () => {
      let keys: KeyElement[];
      try {
        keys = await this.keySchema(table);
      } catch {
        return this.engine.send(operation, raw);
      }
      const key = keyOf((operation === 'PutItem' ? input['Item'] : input['Key']) as Item | undefined, keys);
      if (!key) return this.engine.send(operation, raw);
      const before = await this.getItem(table, key).catch(() => undefined);
      const res = await this.engine.send(operation, raw);
      if (res.status !== 200) return res;
      const after = await this.getItem(table, key);
      await this.emit(table, [changeOf(before, after, keys)]);
      return res;
    });
  }

  /** ReturnValuesOnConditionCheckFailure: ALL_OLD puts the item as it is into the ConditionalCheckFailedException (dynalite leaves it out). */
  private async withItemOnConditionFailure(operation: string, input: Json, res: EngineResponse): Promise<EngineResponse> {
    if (res.status === 200 || input['ReturnValuesOnConditionCheckFailure'] !== 'ALL_OLD' || !res.body.includes('ConditionalCheckFailedException')) return res;
    const table = String(input['TableName']);
    try {
      const key = keyOf((operation === 'PutItem' ? input['Item'] : input['Key']) as Item | undefined, await this.keySchema(table));
      const item = key ? await this.getItem(table, key) : undefined;
      return item ? { status: res.status, body: JSON.stringify({ ...(JSON.parse(res.body) as Json), Item: item }) } : res;
    } catch {
      return res;
    }
  }

  private async batchWrite(input: Json, raw: string): Promise<EngineResponse> {
    const requests = input['RequestItems'];
    if (typeof requests !== 'object' || requests === null) return this.engine.send('BatchWriteItem', raw);
    const streamed = Object.keys(requests).filter((t) => this.settingsOf(t).stream);
    if (streamed.length === 0) return this.engine.send('BatchWriteItem', raw);
    return this.lock(streamed, async () => {
      const plan: { table: string; key: Item; keys: KeyElement[] }[] = [];
      for (const table of streamed) {
        let keys: KeyElement[];
        try {
          keys = await this.keySchema(table);
        } catch {
          return this.engine.send('BatchWriteItem', raw);
        }
        const list = (requests as Record<string, unknown>)[table];
        for (const r of Array.isArray(list) ? (list as Json[]) : []) {
          const put = r['PutRequest'] as { Item?: Item } | undefined;
          const del = r['DeleteRequest'] as { Key?: Item } | undefined;
          const key = keyOf(put?.Item ?? del?.Key, keys);
          if (key) plan.push({ table, key, keys });
        }
      }
      let before: (Item | undefined)[];
      try {
        before = await this.getItems(plan);
      } catch {
        // A key that does not match its table: the write fails the same way, with DynamoDB's message.
        return this.engine.send('BatchWriteItem', raw);
      }
      const res = await this.engine.send('BatchWriteItem', raw);
      if (res.status !== 200) return res;
      const after = await this.getItems(plan);
      for (const table of streamed) {
        await this.emit(
          table,
          plan.map((p, i) => (p.table === table ? changeOf(before[i], after[i], p.keys) : undefined)),
        );
      }
      return res;
    });
  }

  private async transactWrite(input: Json): Promise<Json> {
    const items = input['TransactItems'];
    if (!Array.isArray(items) || items.length < 1 || items.length > 100) {
      throw dynamoDbError('com.amazon.coral.validate#ValidationException', 'TransactItems must have length between 1 and 100');
    }
    const actions = (items as Json[]).map((it, i) => {
      const kinds = (['ConditionCheck', 'Put', 'Delete', 'Update'] as const).filter((k) => it[k] !== undefined);
      if (kinds.length !== 1) {
        throw dynamoDbError(
          'com.amazon.coral.validate#ValidationException',
          `TransactItems[${i}] must have exactly one of ConditionCheck, Put, Delete, Update`,
        );
      }
      const kind = kinds[0]!;
      const spec = it[kind] as Json;
      if (typeof spec['TableName'] !== 'string')
        throw dynamoDbError('com.amazon.coral.validate#ValidationException', `TransactItems[${i}].${kind}.TableName is required`);
      return { kind, spec, table: spec['TableName'] };
    });
    const tables = [...new Set(actions.map((a) => a.table))];
    return this.lock(tables, async () => {
      const schemas = new Map<string, KeyElement[]>();
      for (const t of tables) {
        try {
          schemas.set(t, await this.keySchema(t));
        } catch (err) {
          if (err instanceof DynamoDbError && err.code === 'ResourceNotFoundException')
            throw dynamoDbError('ResourceNotFoundException', 'Requested resource not found');
          throw err;
        }
      }
      const seen = new Set<string>();
      const keyed = actions.map((a, i) => {
        const keys = schemas.get(a.table)!;
        const key = keyOf((a.kind === 'Put' ? a.spec['Item'] : a.spec['Key']) as Item | undefined, keys);
        if (!key)
          throw dynamoDbError('com.amazon.coral.validate#ValidationException', `TransactItems[${i}]: the provided key element does not match the schema`);
        const id = `${a.table}\u0000${JSON.stringify(key)}`;
        if (seen.has(id))
          throw dynamoDbError('com.amazon.coral.validate#ValidationException', 'Transaction request cannot include multiple operations on one item');
        seen.add(id);
        return { ...a, key, keys };
      });
      const before = await this.getItems(keyed);
      const reasons: Json[] = [];
      for (const [i, a] of keyed.entries()) {
        const condition = a.spec['ConditionExpression'];
        if (typeof condition !== 'string') {
          reasons.push({ Code: 'None' });
          continue;
        }
        const holds = await this.conditionHolds(a.table, a.key, before[i], condition, a.spec);
        reasons.push(
          holds
            ? { Code: 'None' }
            : {
                Code: 'ConditionalCheckFailed',
                Message: 'The conditional request failed',
                ...(a.spec['ReturnValuesOnConditionCheckFailure'] === 'ALL_OLD' && before[i] ? { Item: before[i] } : {}),
              },
        );
      }
      if (reasons.some((r) => r['Code'] !== 'None')) throw transactionCanceled(reasons);
      const applied: number[] = [];
      for (const [i, a] of keyed.entries()) {
        if (a.kind === 'ConditionCheck') continue;
        try {
          if (a.kind === 'Put') await this.engine.call('PutItem', { TableName: a.table, Item: a.spec['Item'] });
          else if (a.kind === 'Delete') await this.engine.call('DeleteItem', { TableName: a.table, Key: a.key });
          else {
            const update = a.spec['UpdateExpression'];
            await this.engine.call('UpdateItem', {
              TableName: a.table,
              Key: a.key,
              ...(typeof update === 'string' ? { UpdateExpression: update } : {}),
              ...expressionAttributes(a.spec, typeof update === 'string' ? update : undefined),
            });
          }
          applied.push(i);
        } catch (err) {
          // All or nothing: what was written already goes back to how it was.
          for (const j of applied.reverse()) {
            const b = keyed[j]!;
            if (before[j]) await this.engine.call('PutItem', { TableName: b.table, Item: before[j] });
            else await this.engine.call('DeleteItem', { TableName: b.table, Key: b.key });
          }
          if (!(err instanceof DynamoDbError)) throw err;
          throw transactionCanceled(keyed.map((_, k) => (k === i ? { Code: 'ValidationError', Message: err.message } : { Code: 'None' })));
        }
      }
      const after = await this.getItems(keyed);
      for (const t of tables) {
        await this.emit(
          t,
          keyed.map((a, i) => (a.table === t && a.kind !== 'ConditionCheck' ? changeOf(before[i], after[i], a.keys) : undefined)),
        );
      }
      return {};
    });
  }

  /**
   * Whether `condition` holds for the item as it is, checked by a write that changes nothing: the item put
   * back as it is, or a delete of an item that is not there.
   */
  private async conditionHolds(table: string, key: Item, item: Item | undefined, condition: string, spec: Json): Promise<boolean> {
    const attrs = expressionAttributes(spec, condition);
    try {
      if (item) await this.engine.call('PutItem', { TableName: table, Item: item, ConditionExpression: condition, ...attrs });
      else await this.engine.call('DeleteItem', { TableName: table, Key: key, ConditionExpression: condition, ...attrs });
      return true;
    } catch (err) {
      if (err instanceof DynamoDbError && err.code === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  private async transactGet(input: Json): Promise<Json> {
    const items = input['TransactItems'];
    if (!Array.isArray(items) || items.length < 1 || items.length > 100) {
      throw dynamoDbError('com.amazon.coral.validate#ValidationException', 'TransactItems must have length between 1 and 100');
    }
    const gets = (items as Json[]).map((it) => (it['Get'] ?? {}) as Json);
    const tables = [...new Set(gets.map((g) => String(g['TableName'])))];
    return this.lock(tables, async () => {
      const responses = await Promise.all(
        gets.map(async (g) => {
          const out = await this.engine.call<{ Item?: Item }>('GetItem', {
            TableName: g['TableName'],
            Key: g['Key'],
            ConsistentRead: true,
            ...(typeof g['ProjectionExpression'] === 'string' ? { ProjectionExpression: g['ProjectionExpression'] } : {}),
            ...(g['ExpressionAttributeNames'] ? { ExpressionAttributeNames: g['ExpressionAttributeNames'] } : {}),
          });
          return out.Item ? { Item: out.Item } : {};
        }),
      );
      return { Responses: responses };
    });
  }

  private async createTable(input: Json): Promise<Json> {
    const name = String(input['TableName']);
    const spec = input['StreamSpecification'] as { StreamEnabled?: unknown; StreamViewType?: unknown } | undefined;
    const viewType = spec?.StreamEnabled === true ? streamViewType(spec) : undefined;
    if (spec?.StreamEnabled === true && !viewType) {
      throw dynamoDbError('com.amazon.coral.validate#ValidationException', 'StreamViewType is required when StreamEnabled is true');
    }
    const out = await this.engine.call<{ TableDescription: Json }>('CreateTable', input);
    this.forget(name);
    await this.setSettings(name, viewType ? { stream: viewType } : undefined);
    return { TableDescription: this.decorate(out.TableDescription) };
  }

  private async deleteTable(input: Json): Promise<Json> {
    const name = String(input['TableName']);
    const out = await this.engine.call<{ TableDescription: Json }>('DeleteTable', input);
    const description = this.decorate(out.TableDescription);
    this.forget(name);
    await this.setSettings(name, undefined);
    return { TableDescription: description };
  }

  private async updateTable(input: Json): Promise<Json> {
    const name = String(input['TableName']);
    const { StreamSpecification: spec, ...rest } = input as Json & { StreamSpecification?: { StreamEnabled?: unknown; StreamViewType?: unknown } };
    const engineFields = ['ProvisionedThroughput', 'BillingMode', 'GlobalSecondaryIndexUpdates', 'SSESpecification'].some((k) => rest[k] !== undefined);
    if (!spec && engineFields) {
      const out = await this.engine.call<{ TableDescription: Json }>('UpdateTable', rest);
      return { TableDescription: this.decorate(out.TableDescription) };
    }
    if (!spec) {
      throw dynamoDbError(
        'com.amazon.coral.validate#ValidationException',
        'At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required',
      );
    }
    await this.keySchema(name);
    const current = this.settingsOf(name);
    if (spec.StreamEnabled === true) {
      if (current.stream) throw dynamoDbError('com.amazon.coral.validate#ValidationException', `Table already has an enabled stream: ${this.streamArn(name)}`);
      const viewType = streamViewType(spec);
      if (!viewType) throw dynamoDbError('com.amazon.coral.validate#ValidationException', 'StreamViewType is required when a stream is enabled');
      await this.setSettings(name, { ...current, stream: viewType });
    } else if (spec.StreamEnabled === false) {
      if (!current.stream) throw dynamoDbError('com.amazon.coral.validate#ValidationException', 'Table does not have an enabled stream');
      await this.setSettings(name, { ...current, stream: undefined });
    }
    const out = engineFields
      ? (await this.engine.call<{ TableDescription: Json }>('UpdateTable', rest)).TableDescription
      : (await this.engine.call<{ Table: Json }>('DescribeTable', { TableName: name })).Table;
    return { TableDescription: this.decorate(out) };
  }

  private async updateTimeToLive(input: Json): Promise<Json> {
    const name = String(input['TableName']);
    const spec = input['TimeToLiveSpecification'] as { Enabled?: unknown; AttributeName?: unknown } | undefined;
    if (!spec || typeof spec.Enabled !== 'boolean' || typeof spec.AttributeName !== 'string' || spec.AttributeName === '') {
      throw dynamoDbError('com.amazon.coral.validate#ValidationException', 'TimeToLiveSpecification needs Enabled and AttributeName');
    }
    await this.keySchema(name);
    const current = this.settingsOf(name);
    if (spec.Enabled && current.ttlAttribute) throw dynamoDbError('com.amazon.coral.validate#ValidationException', 'TimeToLive is already enabled');
    if (!spec.Enabled && !current.ttlAttribute) throw dynamoDbError('com.amazon.coral.validate#ValidationException', 'TimeToLive is already disabled');
    await this.setSettings(name, { ...current, ttlAttribute: spec.Enabled ? spec.AttributeName : undefined });
    return { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } };
  }

  private async describeTimeToLive(input: Json): Promise<Json> {
    const name = String(input['TableName']);
    await this.keySchema(name);
    const attr = this.settingsOf(name).ttlAttribute;
    return { TimeToLiveDescription: attr ? { TimeToLiveStatus: 'ENABLED', AttributeName: attr } : { TimeToLiveStatus: 'DISABLED' } };
  }

  /** Deletes the items whose TTL attribute (epoch seconds) is before `nowMs`; resolves with how many went. */
  async sweepExpired(nowMs: number): Promise<number> {
    let deleted = 0;
    const now = Math.floor(nowMs / 1000);
    for (const [table, s] of Object.entries(this.settings)) {
      if (!s.ttlAttribute) continue;
      const filter = {
        ExpressionAttributeNames: { '#ttl': s.ttlAttribute },
        ExpressionAttributeValues: { ':now': { N: String(now) }, ':horizon': { N: String(now - TTL_HORIZON_SECONDS) } },
      };
      const condition = '#ttl < :now AND #ttl >= :horizon';
      let keys: KeyElement[];
      try {
        keys = await this.keySchema(table);
      } catch {
        continue;
      }
      let start: Item | undefined;
      do {
        const page: { Items?: Item[]; LastEvaluatedKey?: Item } = await this.engine.call('Scan', {
          TableName: table,
          FilterExpression: condition,
          ...filter,
          ...(start ? { ExclusiveStartKey: start } : {}),
        });
        for (const item of page.Items ?? []) {
          const key = keyOf(item, keys);
          if (!key) continue;
          const gone = await this.lock([table], async () => {
            try {
              const out = await this.engine.call<{ Attributes?: Item }>('DeleteItem', {
                TableName: table,
                Key: key,
                ConditionExpression: condition,
                ReturnValues: 'ALL_OLD',
                ...filter,
              });
              if (!out.Attributes) return false;
              const change = changeOf(out.Attributes, undefined, keys);
              await this.emit(table, [change ? { ...change, userIdentity: TTL_IDENTITY } : undefined]);
              return true;
            } catch (err) {
              // Written again since the scan saw it: not expired any more.
              if (err instanceof DynamoDbError && err.code === 'ConditionalCheckFailedException') return false;
              throw err;
            }
          });
          if (gone) {
            deleted++;
            this.changes++;
          }
        }
        start = page.LastEvaluatedKey;
      } while (start);
    }
    return deleted;
  }
}

/** An item's key as one string, numbers in their canonical spelling (`1.0` and `1` are one key). */
function keyId(item: Item, keys: readonly KeyElement[]): string {
  return JSON.stringify(
    keys.map((k) => {
      const v = item[k.AttributeName];
      return v && 'N' in v ? { N: canonicalNumber(v.N) } : v;
    }),
  );
}

function ok(body: Json): EngineResponse {
  return { status: 200, body: JSON.stringify(body) };
}

function streamViewType(spec: { StreamViewType?: unknown }): StreamViewType | undefined {
  return typeof spec.StreamViewType === 'string' && VIEW_TYPES.has(spec.StreamViewType) ? (spec.StreamViewType as StreamViewType) : undefined;
}

function transactionCanceled(reasons: Json[]): DynamoDbError {
  const err = dynamoDbError(
    'TransactionCanceledException',
    `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => String(r['Code'])).join(', ')}]`,
  );
  err.extra = { CancellationReasons: reasons };
  return err;
}
