// The node:test driver for the mocha suites of test/vscode/suite-debuggers/ (bundled to
// dist/test/vscode-suite-debuggers/): Go and Ruby breakpoints, on a copy of
// test/fixtures/debuggers-project, in the harness's VS Code with our extension. Needs Go, Delve and
// Ruby (scripts/setup-system.sh installs them); each mocha test becomes a subtest of the same name.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyFixture, distDir, extensionId, launchVscode, type SuiteResults } from './harness';

const SUITE_DIR = join(distDir, 'test', 'vscode-suite-debuggers');
const RESULTS_TIMEOUT_MS = 15 * 60_000;

test('Go and Ruby debugging inside VS Code 1.100.3', { timeout: RESULTS_TIMEOUT_MS + 3 * 60_000 }, async (t) => {
  const suites = existsSync(SUITE_DIR) ? readdirSync(SUITE_DIR).filter((f) => f.endsWith('.js')) : [];
  assert.ok(suites.length > 0, `no suites in ${SUITE_DIR}: build first (node scripts/build.mjs)`);
  const id = extensionId();
  const vs = await launchVscode({ name: 'debuggers', folder: copyFixture('debuggers-project'), runner: { activate: [id], suiteDir: SUITE_DIR } });
  let results: SuiteResults | undefined;
  try {
    results = await vs.waitForResults(RESULTS_TIMEOUT_MS);
  } finally {
    await vs.close();
  }
  assert.equal(results.error, undefined, `the test runner failed outside any test: ${results.error}`);
  assert.deepEqual(results.suiteFiles, suites.sort(), 'the runner loaded every bundled suite');
  for (const r of results.tests) {
    await t.test(r.fullTitle, (st) => {
      if (r.durationMs !== undefined) st.diagnostic(`${r.durationMs} ms in the extension host`);
      if (r.state === 'failed') {
        const err = new Error(r.message ?? 'failed');
        if (r.stack) err.stack = r.stack;
        throw err;
      }
    });
  }
  assert.ok(results.tests.length > 0, 'the suites contain tests');
});
