// The template's tables: `AWS::DynamoDB::Table` (keys, attribute definitions, GSIs/LSIs, billing,
// TTL, stream) and `AWS::Serverless::SimpleTable` (a one-attribute primary key, `id` String unless
// PrimaryKey says otherwise; PAY_PER_REQUEST without ProvisionedThroughput, as SAM creates it). A
// table's name is its TableName, else its logical id: what `!Ref Table` resolves to locally
// (functions/sam-template.ts), where CloudFormation would generate `<stack>-<LogicalId>-<random>`.
import type { TemplateResource } from '../../host-context';
import type { StreamViewType } from '../streams/stream-event';
import { isRecord } from '../../util/values';
import type { KeyElement } from './item-changes';

export interface TemplateTable {
  logicalId: string;
  name: string;
  /** The CreateTable request, as DynamoDB takes it. */
  create: CreateTableInput;
  stream?: StreamViewType;
  /** TimeToLiveSpecification with Enabled: true. */
  ttlAttribute?: string;
}

export interface CreateTableInput {
  TableName: string;
  KeySchema: KeyElement[];
  AttributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  BillingMode: 'PROVISIONED' | 'PAY_PER_REQUEST';
  ProvisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
  GlobalSecondaryIndexes?: Record<string, unknown>[];
  LocalSecondaryIndexes?: Record<string, unknown>[];
}

const VIEW_TYPES: readonly StreamViewType[] = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'];
const SIMPLE_TYPES: Record<string, 'S' | 'N' | 'B'> = { String: 'S', Number: 'N', Binary: 'B' };

function throughput(v: unknown): { ReadCapacityUnits: number; WriteCapacityUnits: number } | undefined {
  if (!isRecord(v)) return undefined;
  const r = Number(v['ReadCapacityUnits']);
  const w = Number(v['WriteCapacityUnits']);
  return Number.isFinite(r) && Number.isFinite(w) ? { ReadCapacityUnits: r, WriteCapacityUnits: w } : undefined;
}

function keySchema(v: unknown): KeyElement[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const out: KeyElement[] = [];
  for (const k of v) {
    if (!isRecord(k) || typeof k['AttributeName'] !== 'string' || (k['KeyType'] !== 'HASH' && k['KeyType'] !== 'RANGE')) return undefined;
    out.push({ AttributeName: k['AttributeName'], KeyType: k['KeyType'] });
  }
  return out;
}

function index(v: unknown, billing: CreateTableInput['BillingMode'], global: boolean): Record<string, unknown> | string {
  if (!isRecord(v) || typeof v['IndexName'] !== 'string') return 'an index without IndexName';
  const keys = keySchema(v['KeySchema']);
  if (!keys) return `index ${v['IndexName']} has no valid KeySchema`;
  const projection = isRecord(v['Projection']) ? v['Projection'] : { ProjectionType: 'ALL' };
  const out: Record<string, unknown> = { IndexName: v['IndexName'], KeySchema: keys, Projection: projection };
  if (global && billing === 'PROVISIONED')
    out['ProvisionedThroughput'] = throughput(v['ProvisionedThroughput']) ?? { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };
  return out;
}

/** The tables the template declares, and why any of them cannot be created. */
export function templateTables(resources: Record<string, TemplateResource>): { tables: TemplateTable[]; problems: string[] } {
  const tables: TemplateTable[] = [];
  const problems: string[] = [];
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    const name = typeof p['TableName'] === 'string' && p['TableName'] !== '' ? p['TableName'] : id;
    if (r.Type === 'AWS::Serverless::SimpleTable') {
      const pk = isRecord(p['PrimaryKey']) ? p['PrimaryKey'] : {};
      const attr = typeof pk['Name'] === 'string' ? pk['Name'] : 'id';
      const type = SIMPLE_TYPES[typeof pk['Type'] === 'string' ? pk['Type'] : 'String'];
      if (!type) {
        problems.push(`${id}: PrimaryKey.Type must be String, Number or Binary`);
        continue;
      }
      const provisioned = throughput(p['ProvisionedThroughput']);
      tables.push({
        logicalId: id,
        name,
        create: {
          TableName: name,
          KeySchema: [{ AttributeName: attr, KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: attr, AttributeType: type }],
          BillingMode: provisioned ? 'PROVISIONED' : 'PAY_PER_REQUEST',
          ...(provisioned ? { ProvisionedThroughput: provisioned } : {}),
        },
      });
      continue;
    }
    if (r.Type !== 'AWS::DynamoDB::Table') continue;
    const keys = keySchema(p['KeySchema']);
    if (!keys) {
      problems.push(`${id}: KeySchema is missing or not a list of {AttributeName, KeyType: HASH|RANGE}; the table is not created`);
      continue;
    }
    const definitions = Array.isArray(p['AttributeDefinitions'])
      ? p['AttributeDefinitions'].filter(
          (d): d is { AttributeName: string; AttributeType: 'S' | 'N' | 'B' } =>
            isRecord(d) && typeof d['AttributeName'] === 'string' && (d['AttributeType'] === 'S' || d['AttributeType'] === 'N' || d['AttributeType'] === 'B'),
        )
      : [];
    const provisioned = throughput(p['ProvisionedThroughput']);
    const billing: CreateTableInput['BillingMode'] = p['BillingMode'] === 'PAY_PER_REQUEST' || !provisioned ? 'PAY_PER_REQUEST' : 'PROVISIONED';
    if (p['BillingMode'] !== 'PAY_PER_REQUEST' && !provisioned) {
      problems.push(`${id}: PROVISIONED billing (the default) needs ProvisionedThroughput; created locally as PAY_PER_REQUEST`);
    }
    const indexes = (key: 'GlobalSecondaryIndexes' | 'LocalSecondaryIndexes'): Record<string, unknown>[] | undefined => {
      const list = p[key];
      if (!Array.isArray(list) || list.length === 0) return undefined;
      const out: Record<string, unknown>[] = [];
      for (const ix of list) {
        const parsed = index(ix, billing, key === 'GlobalSecondaryIndexes');
        if (typeof parsed === 'string') problems.push(`${id}: ${key}: ${parsed}; the index is left out`);
        else out.push(parsed);
      }
      return out.length ? out : undefined;
    };
    const gsis = indexes('GlobalSecondaryIndexes');
    const lsis = indexes('LocalSecondaryIndexes');
    const spec = isRecord(p['StreamSpecification']) ? p['StreamSpecification'] : undefined;
    const viewType = VIEW_TYPES.find((v) => v === spec?.['StreamViewType']);
    if (spec && !viewType) problems.push(`${id}: StreamSpecification.StreamViewType must be one of ${VIEW_TYPES.join(', ')}; the table has no stream`);
    const ttl = isRecord(p['TimeToLiveSpecification']) ? p['TimeToLiveSpecification'] : undefined;
    const ttlOn = ttl && (ttl['Enabled'] === true || ttl['Enabled'] === 'true') && typeof ttl['AttributeName'] === 'string';
    tables.push({
      logicalId: id,
      name,
      create: {
        TableName: name,
        KeySchema: keys,
        AttributeDefinitions: definitions,
        BillingMode: billing,
        ...(billing === 'PROVISIONED' ? { ProvisionedThroughput: provisioned! } : {}),
        ...(gsis ? { GlobalSecondaryIndexes: gsis } : {}),
        ...(lsis ? { LocalSecondaryIndexes: lsis } : {}),
      },
      ...(viewType ? { stream: viewType } : {}),
      ...(ttlOn ? { ttlAttribute: ttl['AttributeName'] as string } : {}),
    });
  }
  return { tables, problems };
}

/** The parts of a table that cannot change in place: its key attributes and their types. */
export function keySignature(keys: readonly KeyElement[], definitions: readonly { AttributeName: string; AttributeType: string }[]): string {
  return keys.map((k) => `${k.KeyType}:${k.AttributeName}:${definitions.find((d) => d.AttributeName === k.AttributeName)?.AttributeType ?? '?'}`).join(',');
}

/** The indexes, compared to decide whether a table is rebuilt (its items copied over). */
export function indexSignature(create: { GlobalSecondaryIndexes?: unknown[]; LocalSecondaryIndexes?: unknown[]; AttributeDefinitions?: unknown[] }): string {
  const strip = (list: unknown[] | undefined) =>
    (list ?? [])
      .map((ix) => {
        const o = ix as Record<string, unknown>;
        return JSON.stringify({ n: o['IndexName'], k: o['KeySchema'], p: o['Projection'] });
      })
      .sort();
  return JSON.stringify([strip(create.GlobalSecondaryIndexes), strip(create.LocalSecondaryIndexes)]);
}
