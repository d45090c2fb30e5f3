// Every handler New Function… writes runs on the sample event it saves beside it: JavaScript, TypeScript
// (typed with @types/aws-lambda or not) and Python, for each trigger, through `lambda-workbench invoke`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { planNewFunction, type AuthoringRuntime, type AuthoringTrigger } from '../../extension/authoring/new-function';
import { generateEvent } from '../../runtime-host/events/templates';

const CLI = join(__dirname, '../../dist/cli.js');
const scratch = mkdtempSync(join(tmpdir(), 'lw-new-function-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const TRIGGERS: AuthoringTrigger[] = ['http', 's3', 'sqs', 'schedule', 'none'];
const VARIANTS: { runtime: AuthoringRuntime; typed: boolean }[] = [
  { runtime: 'javascript', typed: false },
  { runtime: 'typescript', typed: false },
  { runtime: 'typescript', typed: true },
  { runtime: 'python', typed: false },
];

for (const { runtime, typed } of VARIANTS) {
  test(`${runtime}${typed ? ' (typed)' : ''}: each trigger's handler succeeds on its sample event`, () => {
    for (const trigger of TRIGGERS) {
      const root = join(scratch, `${runtime}-${typed}-${trigger}`);
      const plan = planNewFunction('p', undefined, { name: 'Fn', runtime, trigger, awsLambdaTypes: typed });
      mkdirSync(join(root, dirname(plan.handlerPath)), { recursive: true });
      writeFileSync(join(root, plan.handlerPath), plan.handlerText);
      const sample = plan.sampleEvent;
      const eventFile = join(root, 'event.json');
      writeFileSync(eventFile, JSON.stringify(sample.template ? generateEvent(sample.template, sample.params) : sample.literal));
      const r = spawnSync(process.execPath, [CLI, 'invoke', 'app.handler', '--root', join(root, dirname(plan.handlerPath)), '--event', eventFile, '--json'], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(r.status, 0, `${trigger}: ${r.stdout}\n${r.stderr}`);
      const out = JSON.parse(r.stdout) as { result?: unknown; report: { status: string } };
      assert.equal(out.report.status, 'success', `${trigger}: ${r.stdout}`);
      if (trigger === 'http') assert.equal((out.result as { statusCode: number }).statusCode, 200);
      if (trigger === 'sqs') assert.deepEqual(out.result, { batchItemFailures: [] });
    }
  });
}
