// The node:test driver for the mocha suites that run inside a real VS Code (test/vscode/suite/*.test.ts,
// bundled to dist/test/vscode-suite/): opens a copy of test/fixtures/vscode-project in the harness's
// VS Code with our extension and the test-runner extension, waits for the runner's results and turns
// each mocha test into a subtest of the same name, so a failure shows by name in `npm test`.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyFixture, distDir, extensionId, launchVscode, type SuiteResults } from './harness';

const SUITE_DIR = join(distDir, 'test', 'vscode-suite');
const RESULTS_TIMEOUT_MS = 15 * 60_000;

test('extension suites inside VS Code 1.100.3', { timeout: RESULTS_TIMEOUT_MS + 3 * 60_000 }, async (t) => {
  const suites = existsSync(SUITE_DIR) ? readdirSync(SUITE_DIR).filter((f) => f.endsWith('.js')) : [];
  assert.ok(suites.length > 0, `no suites in ${SUITE_DIR}: write test/vscode/suite/*.test.ts and build (node scripts/build.mjs)`);

  const folder = copyFixture('vscode-project');
  const id = extensionId();
  const vs = await launchVscode({ name: 'suites', folder, runner: { activate: [id] } });
  let results: SuiteResults | undefined;
  let waitError: unknown;
  try {
    try {
      results = await vs.waitForResults(RESULTS_TIMEOUT_MS);
    } catch (err) {
      waitError = err;
      // Report whatever finished before the runner stalled.
      results = readPartial(vs.resultsFile);
    }
  } finally {
    await vs.close();
  }

  await t.test('our extension activates in the workbench', () => {
    const ours = results?.extensions.find((e) => e.id === id);
    assert.ok(ours?.found, `${id} not found by the extension host`);
    assert.equal(ours.activationError, undefined);
    assert.equal(ours.isActive, true);
    assert.deepEqual(ours.missingCommands, []);
  });

  for (const r of results?.tests ?? []) {
    await t.test(r.fullTitle, { skip: r.state === 'pending' ? 'pending in mocha' : false }, (st) => {
      // The subtest itself only replays the outcome; the time it took is mocha's, in the extension host.
      if (r.durationMs !== undefined) st.diagnostic(`${r.durationMs} ms in the extension host${r.file ? ` (${r.file})` : ''}`);
      if (r.state === 'failed') {
        const err = new Error(`${r.message ?? 'failed'}${r.file ? ` (${r.file})` : ''}`);
        if (r.stack) err.stack = r.stack;
        throw err;
      }
    });
  }

  if (waitError) throw waitError;
  assert.ok(results, 'no results');
  assert.equal(results.error, undefined, `the test runner failed outside any test: ${results.error}`);
  assert.deepEqual(results.suiteFiles, suites.sort(), 'the runner loaded every bundled suite');
  assert.ok(results.tests.length > 0, 'the suites contain tests');
});

function readPartial(file: string): SuiteResults | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SuiteResults;
  } catch {
    return undefined;
  }
}
