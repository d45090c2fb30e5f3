// EventSource 'dynamodb': the local DynamoDB. The engine (dynalite, a child process, data in
// `<stateDir>/dynamodb/engine/`) starts in the background when the template declares tables, else at
// the first DynamoDB request or item-browser call, so `serve` starts no slower without tables. The
// template's tables are created, and follow template edits: a changed key schema deletes and
// recreates the table (with a warning: its items are gone, as CloudFormation's replacement would
// leave them); changed indexes rebuild it with its items. Answers DynamoDB on the local AWS endpoint
// (dynamodb-api.ts), the item browser's `dynamodb.*` methods, and sweeps expired TTL items.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventSource, HostContext, MethodHandlers } from '../../host-context';
import type { DynamoDbItem, DynamoDbTableInfo } from '../../protocol/methods';
import { UserError } from '../../runtime/types';
import { MethodParams } from '../../server/method-params';
import type { AwsServiceHandler, DynamoDbStreamDelivery } from '../aws-service';
import { DynamoDbApi } from './dynamodb-api';
import { DynamoDbEngine, DynamoDbError } from './engine';
import type { Item, KeyElement } from './item-changes';
import { DynamoDbTables } from './tables';
import { indexSignature, keySignature, templateTables, type TemplateTable } from './template';

export interface DynamoDbSourceOptions {
  /** How often expired TTL items are deleted (default 30 s; DynamoDB itself takes up to days). */
  ttlSweepMs?: number;
  /** The clock TTL reads (tests move it). */
  now?: () => number;
}

type TableDescription = {
  TableName: string;
  TableArn: string;
  TableStatus: string;
  KeySchema: KeyElement[];
  AttributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  GlobalSecondaryIndexes?: Record<string, unknown>[];
  LocalSecondaryIndexes?: Record<string, unknown>[];
};

export class DynamoDbSource implements EventSource {
  readonly name = 'dynamodb';
  private context!: HostContext;
  private engine!: DynamoDbEngine;
  private store!: DynamoDbTables;
  private booting: Promise<void> | undefined;
  private reconcile: Promise<void> = Promise.resolve();
  private appliedSignature: string | undefined;
  private unsubscribe?: () => void;
  private sweepTimer?: NodeJS.Timeout;
  private sweeping: Promise<number> | undefined;
  private stopped = false;
  private readonly loggedProblems = new Set<string>();
  private dataDir = '';
  /** Item counts, kept until the next write. */
  private readonly counts = new Map<string, { changes: number; count: number }>();

  constructor(private readonly options: DynamoDbSourceOptions = {}) {}

  async start(context: HostContext): Promise<void> {
    this.context = context;
    const dir = join(context.stateDir, 'dynamodb');
    this.dataDir = dir;
    this.engine = new DynamoDbEngine({ dataDir: join(dir, 'engine'), region: context.region, accountId: context.accountId, log: context.log });
    this.store = new DynamoDbTables({
      engine: this.engine,
      settingsFile: join(dir, 'tables.json'),
      region: context.region,
      accountId: context.accountId,
      streams: () => context.dynamoDbStreams,
    });
    const declared = templateTables(context.functions.resources());
    this.logProblems(declared.problems);
    // Not awaited: tables are being created while serve is already ready; every DynamoDB call waits for them.
    if (declared.tables.length > 0)
      void this.tables().catch((err: unknown) => context.log.error(`dynamodb: the engine did not start: ${(err as Error).message}`));
    this.unsubscribe = context.functions.onDidChange(() => {
      const { tables, problems } = templateTables(context.functions.resources());
      this.logProblems(problems);
      if (!this.booting && tables.length === 0) return;
      this.reconcile = this.reconcile
        .then(() => this.tables())
        .then(() => this.apply())
        .catch((err: unknown) => context.log.error(`dynamodb: ${(err as Error).message}`));
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.reconcile.catch(() => undefined);
    await this.booting?.catch(() => undefined);
    await this.sweeping?.catch(() => undefined);
    await this.engine?.stop();
  }

  awsService(): AwsServiceHandler {
    return new DynamoDbApi(this);
  }

  streams(): DynamoDbStreamDelivery | undefined {
    return this.context.dynamoDbStreams;
  }

  /** The tables once the engine runs and the template's tables exist (the first call starts it all). */
  async tables(): Promise<DynamoDbTables> {
    if (this.stopped) throw new DynamoDbError(500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', 'the host is stopping');
    this.booting ??= this.boot();
    try {
      await this.booting;
    } catch (err) {
      // A failed start is tried again by the next call.
      this.booting = undefined;
      throw err;
    }
    return this.store;
  }

  private async boot(): Promise<void> {
    const started = Date.now();
    await mkdir(join(this.context.stateDir, 'dynamodb'), { recursive: true });
    await this.store.load();
    await this.engine.start();
    await this.apply();
    // Streams of tables made through the API: open, with their view type, before any mapping reads them.
    await this.store.openStreams();
    this.context.log.debug(`dynamodb: engine ready in ${Date.now() - started} ms`);
    this.sweepTimer = setInterval(
      () => void this.sweepExpired().catch((err: unknown) => this.context.log.warn(`dynamodb: TTL: ${(err as Error).message}`)),
      this.options.ttlSweepMs ?? 30_000,
    );
    this.sweepTimer.unref();
  }

  /** Deletes expired TTL items now (the timer does it every `ttlSweepMs`); resolves with how many. */
  async sweepExpired(): Promise<number> {
    if (!this.engine.started) return 0;
    this.sweeping ??= this.store.sweepExpired((this.options.now ?? Date.now)()).finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private logProblems(problems: string[]): void {
    for (const p of problems) {
      if (this.loggedProblems.has(p)) continue;
      this.loggedProblems.add(p);
      this.context.log.warn(`dynamodb: ${p}`);
    }
  }

  /** Creates the template's tables, or brings them in line with it. */
  private async apply(): Promise<void> {
    const { tables } = templateTables(this.context.functions.resources());
    const signature = JSON.stringify(tables);
    if (signature === this.appliedSignature) return;
    this.appliedSignature = signature;
    const existing = new Set(await this.tableNames());
    for (const t of tables) {
      try {
        await this.applyTable(t, existing.has(t.name));
      } catch (err) {
        this.context.log.warn(`dynamodb: table ${t.name} (${t.logicalId}): ${(err as Error).message}`);
      }
    }
  }

  private async applyTable(t: TemplateTable, exists: boolean): Promise<void> {
    const engine = this.engine;
    if (exists) {
      const { Table } = await engine.call<{ Table: TableDescription }>('DescribeTable', { TableName: t.name });
      const before = keySignature(Table.KeySchema, Table.AttributeDefinitions);
      const wanted = keySignature(t.create.KeySchema, t.create.AttributeDefinitions);
      if (before !== wanted) {
        this.context.log.warn(
          `dynamodb: table ${t.name}: its key schema changed (${before} → ${wanted}); deleting it and creating it again, empty, as CloudFormation replaces a table`,
        );
        await this.recreate(t, []);
      } else if (indexSignature(Table) !== indexSignature(t.create)) {
        const items = await this.allItems(t.name);
        this.context.log.info(`dynamodb: table ${t.name}: its indexes changed; rebuilding it with its ${items.length} item(s)`);
        await this.recreate(t, items);
      }
    } else {
      await this.create(t);
    }
    await this.store.setSettings(t.name, { ...(t.stream ? { stream: t.stream } : {}), ...(t.ttlAttribute ? { ttlAttribute: t.ttlAttribute } : {}) });
  }

  private async create(t: TemplateTable): Promise<void> {
    // A table deleted a moment ago may still be DELETING.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.engine.call('CreateTable', { ...t.create });
        break;
      } catch (err) {
        if (!(err instanceof DynamoDbError && err.code === 'ResourceInUseException') || attempt >= 50) throw err;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    this.store.forget(t.name);
    for (let attempt = 0; attempt < 100; attempt++) {
      const { Table } = await this.engine.call<{ Table: TableDescription }>('DescribeTable', { TableName: t.name });
      if (Table.TableStatus === 'ACTIVE') return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private async recreate(t: TemplateTable, items: Item[]): Promise<void> {
    this.store.changes++;
    await this.store.lock([t.name], async () => {
      await this.engine.call('DeleteTable', { TableName: t.name });
      this.store.forget(t.name);
      for (let attempt = 0; attempt < 100; attempt++) {
        if (!(await this.tableNames()).includes(t.name)) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await this.create(t);
      for (let i = 0; i < items.length; i += 25) {
        await this.engine.call('BatchWriteItem', { RequestItems: { [t.name]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } });
      }
    });
  }

  private async tableNames(): Promise<string[]> {
    const names: string[] = [];
    let start: string | undefined;
    do {
      const page = await this.engine.call<{ TableNames: string[]; LastEvaluatedTableName?: string }>(
        'ListTables',
        start ? { ExclusiveStartTableName: start } : {},
      );
      names.push(...page.TableNames);
      start = page.LastEvaluatedTableName;
    } while (start);
    return names;
  }

  private async allItems(table: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await this.engine.call<{ Items: Item[]; LastEvaluatedKey?: Item }>('Scan', {
        TableName: table,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      items.push(...page.Items);
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  methods(): MethodHandlers {
    return {
      'dynamodb.listTables': async () => this.userErrors(() => this.listTables()),
      'dynamodb.scan': async (params) => {
        const p = new MethodParams(params, 'dynamodb.scan', '{"table":"orders","limit":50}');
        const table = p.string('table', 'a table name');
        const limit = p.optionalInteger('limit', 1, 1000) ?? 50;
        const cursor = p.optionalString('cursor');
        let start: Item | undefined;
        if (cursor !== undefined) {
          try {
            start = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Item;
          } catch {
            throw new UserError('dynamodb.scan: "cursor" is not one this host gave', 'pass the cursor of the previous page', 'InvalidParameter');
          }
        }
        return this.userErrors(async () => {
          const tables = await this.tables();
          const page = await tables.engine.call<{ Items: Item[]; LastEvaluatedKey?: Item }>('Scan', {
            TableName: table,
            Limit: limit,
            ...(start ? { ExclusiveStartKey: start } : {}),
          });
          return {
            items: page.Items,
            ...(page.LastEvaluatedKey ? { cursor: Buffer.from(JSON.stringify(page.LastEvaluatedKey)).toString('base64url') } : {}),
          };
        });
      },
      'dynamodb.getItem': async (params) => {
        const p = new MethodParams(params, 'dynamodb.getItem', '{"table":"orders","key":{"id":{"S":"a"}}}');
        const table = p.string('table', 'a table name');
        const key = requiredObject(p, 'key', 'the item key in DynamoDB JSON') as DynamoDbItem;
        return this.userErrors(async () => {
          const item = await (await this.tables()).getItem(table, key);
          return item ? { item } : {};
        });
      },
      'dynamodb.putItem': async (params) => {
        const p = new MethodParams(params, 'dynamodb.putItem', '{"table":"orders","item":{"id":{"S":"a"}}}');
        const table = p.string('table', 'a table name');
        const item = requiredObject(p, 'item', 'the item in DynamoDB JSON') as DynamoDbItem;
        return this.userErrors(async () => {
          const input = { TableName: table, Item: item, ReturnValues: 'ALL_OLD' };
          const res = await (await this.tables()).writeItem('PutItem', input, JSON.stringify(input));
          const out = parseOk<{ Attributes?: Item }>(res);
          return { replaced: out.Attributes !== undefined };
        });
      },
      'dynamodb.deleteItem': async (params) => {
        const p = new MethodParams(params, 'dynamodb.deleteItem', '{"table":"orders","key":{"id":{"S":"a"}}}');
        const table = p.string('table', 'a table name');
        const key = requiredObject(p, 'key', 'the item key in DynamoDB JSON') as DynamoDbItem;
        return this.userErrors(async () => {
          const input = { TableName: table, Key: key, ReturnValues: 'ALL_OLD' };
          const res = await (await this.tables()).writeItem('DeleteItem', input, JSON.stringify(input));
          const out = parseOk<{ Attributes?: Item }>(res);
          return { deleted: out.Attributes !== undefined };
        });
      },
    };
  }

  private async listTables(): Promise<DynamoDbTableInfo[]> {
    // The functions view asks after every invocation: a project that never had a table starts no engine for it.
    const everUsed = this.engine.started || templateTables(this.context.functions.resources()).tables.length > 0 || existsSync(join(this.dataDir, 'engine'));
    if (!everUsed) return [];
    const tables = await this.tables();
    const out: DynamoDbTableInfo[] = [];
    for (const name of (await this.tableNames()).sort()) {
      const { Table } = await this.engine.call<{ Table: TableDescription }>('DescribeTable', { TableName: name });
      const cached = this.counts.get(name);
      let itemCount = cached?.changes === tables.changes ? cached.count : 0;
      if (cached?.changes !== tables.changes) {
        const changes = tables.changes;
        let start: Item | undefined;
        do {
          const page = await this.engine.call<{ Count: number; LastEvaluatedKey?: Item }>('Scan', {
            TableName: name,
            Select: 'COUNT',
            ...(start ? { ExclusiveStartKey: start } : {}),
          });
          itemCount += page.Count;
          start = page.LastEvaluatedKey;
        } while (start);
        this.counts.set(name, { changes, count: itemCount });
      }
      const settings = tables.settingsOf(name);
      out.push({
        name,
        arn: Table.TableArn,
        itemCount,
        keySchema: Table.KeySchema.map((k) => ({
          name: k.AttributeName,
          keyType: k.KeyType,
          type: Table.AttributeDefinitions.find((d) => d.AttributeName === k.AttributeName)?.AttributeType ?? 'S',
        })),
        ...(settings.stream ? { streamViewType: settings.stream, streamArn: tables.streamArn(name) } : {}),
        ...(settings.ttlAttribute ? { ttlAttribute: settings.ttlAttribute } : {}),
      });
    }
    return out;
  }

  /** DynamoDB's own errors (no such table, a key that does not match) as the protocol's user errors. */
  private async userErrors<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof DynamoDbError)) throw err;
      if (err.code === 'ResourceNotFoundException') {
        throw new UserError(`table not found: ${err.message}`, 'dynamodb.listTables lists the tables', 'ResourceNotFound');
      }
      throw new UserError(`DynamoDB: ${err.code}: ${err.message}`, undefined, 'InvalidParameter');
    }
  }
}

function requiredObject(p: MethodParams, key: string, what: string): Record<string, unknown> {
  return p.optionalObject(key, what) ?? (p.value(key, what) as never);
}

function parseOk<T>(res: { status: number; body: string }): T {
  const body = JSON.parse(res.body || '{}') as Record<string, unknown>;
  if (res.status >= 300) {
    const type = typeof body['__type'] === 'string' ? body['__type'] : 'InternalServerError';
    throw new DynamoDbError(res.status, type, typeof body['message'] === 'string' ? body['message'] : String(body['Message'] ?? ''));
  }
  return body as T;
}
