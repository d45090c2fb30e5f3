// Reserved environment variables are refused wherever a function's configuration can set them, naming
// the variable, as the Lambda API refuses them — never dropped silently.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadEnvFile } from '../../runtime-host/functions/env-overrides';
import { functionFromHandler } from '../../runtime-host/functions/handler-function';
import { loadSamTemplate } from '../../runtime-host/functions/sam-template';
import { UserError } from '../../runtime-host/runtime/types';

const templates = join(__dirname, '..', 'fixtures', 'templates');

describe('reserved environment variables', () => {
  it('a template function that sets one is not runnable, with a problem at the variable naming every one', () => {
    const t = loadSamTemplate(join(templates, 'reserved-variables.yaml'), { region: 'us-east-1', accountId: '123456789012', displayRoot: templates });
    const fine = t.functions.find((f) => f.name === 'Fine')!;
    const bad = t.functions.find((f) => f.name === 'SetsRegion')!;
    assert.equal(fine.supported, true);
    assert.equal(bad.supported, false);
    assert.match(
      bad.unsupportedReason!,
      /^reserved-variables\.yaml:21: function SetsRegion sets reserved environment variables AWS_REGION, TZ: Lambda sets them itself/,
    );
    assert.deepEqual(
      t.problems.map((p) => [p.line, p.message.slice(0, 40)]),
      [[21, 'function SetsRegion sets reserved enviro']],
    );
  });

  it('env.json refuses one (a UserError naming the file, the function and the variable)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-reserved-'));
    try {
      const file = join(dir, 'env.json');
      writeFileSync(file, JSON.stringify({ Hello: { AWS_LAMBDA_FUNCTION_NAME: 'x', OK: '1' } }));
      assert.throws(
        () => loadEnvFile(file),
        (err: unknown) => err instanceof UserError && /env\.json \(Hello\) sets the reserved environment variable AWS_LAMBDA_FUNCTION_NAME/.test(err.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an implicit .env is loaded without them, and what was left out is reported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-reserved-'));
    try {
      const file = join(dir, '.env');
      writeFileSync(file, 'AWS_REGION=eu-west-1\nTABLE=orders\n');
      const told: string[] = [];
      const overrides = loadEnvFile(file, (m) => told.push(m));
      assert.deepEqual(overrides.all, { TABLE: 'orders' });
      assert.equal(told.length, 1);
      assert.match(told[0]!, /sets the reserved environment variable AWS_REGION: .*; left out$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--env on a handler-only function refuses one', () => {
    assert.throws(
      () => functionFromHandler({ handler: 'app.handler', root: templates, env: { _HANDLER: 'other.handler' } }),
      (err: unknown) => err instanceof UserError && err.message.includes('_HANDLER'),
    );
  });
});
