// `npm run test:electron`: the standard @vscode/test-electron path, for machines with a desktop and a
// network. It downloads VS Code (into .vscode-test/), starts it with this repository as the extension
// under development and runs the same mocha suites as `npm test` (dist/test/vscode-suite/) through the
// runner bundle, which doubles as the extensionTestsPath (its run() rejects when a test fails).
//
// Offline (as on the CI machines, which reach only the npm registry) the download fails; this script
// then stops with a clear message instead of hanging. Set LAMBDA_WORKBENCH_VSCODE_EXECUTABLE to a VS Code
// executable to skip the download.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { RunnerEnv, type SuiteResults } from './runner/results';

const repoRoot = join(__dirname, '..', '..');
const VSCODE_VERSION = '1.100.3';
/** Idle timeout of the download: no byte for this long means no network. */
const DOWNLOAD_IDLE_TIMEOUT_MS = 20_000;
/** Cap on the whole download, so a trickle cannot hang the script either. */
const DOWNLOAD_TOTAL_TIMEOUT_MS = Number(process.env.LAMBDA_WORKBENCH_DOWNLOAD_TIMEOUT_MS ?? 10 * 60_000);

function fail(message: string): never {
  process.stderr.write(`test:electron: ${message}\n`);
  process.exit(1);
}

async function vscodeExecutable(): Promise<string> {
  const given = process.env.LAMBDA_WORKBENCH_VSCODE_EXECUTABLE;
  if (given) {
    if (!existsSync(given)) fail(`LAMBDA_WORKBENCH_VSCODE_EXECUTABLE=${given} does not exist`);
    return given;
  }
  process.stderr.write(`test:electron: downloading VS Code ${VSCODE_VERSION} (once, into .vscode-test/)…\n`);
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no complete download within ${DOWNLOAD_TOTAL_TIMEOUT_MS} ms`)), DOWNLOAD_TOTAL_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      downloadAndUnzipVSCode({ version: VSCODE_VERSION, cachePath: join(repoRoot, '.vscode-test'), timeout: DOWNLOAD_IDLE_TIMEOUT_MS }),
      cap,
    ]);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    fail(
      `cannot download VS Code ${VSCODE_VERSION} (${why}).\n` +
        '  This path needs a network that reaches VS Code’s download servers (and a display, or xvfb-run, on Linux).\n' +
        '  Offline, run the same suites in the VS Code server from the npm registry instead: node scripts/test.mjs test/vscode/vscode\n' +
        '  Or point LAMBDA_WORKBENCH_VSCODE_EXECUTABLE at an installed VS Code.',
    );
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  const runnerBundle = join(repoRoot, 'dist', 'test', 'vscode-runner', 'extension.js');
  const suiteDir = join(repoRoot, 'dist', 'test', 'vscode-suite');
  if (!existsSync(join(repoRoot, 'dist', 'extension.js')) || !existsSync(runnerBundle)) fail('build first: node scripts/build.mjs');
  if (!existsSync(suiteDir)) fail(`no suites in ${suiteDir}: write test/vscode/suite/*.test.ts and build`);

  const executable = await vscodeExecutable();
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { publisher: string; name: string };
  const scratch = mkdtempSync(join(tmpdir(), 'lwb-electron-'));
  const workspace = join(scratch, 'vscode-project');
  cpSync(join(repoRoot, 'test', 'fixtures', 'vscode-project'), workspace, { recursive: true });
  const outputDir = join(repoRoot, 'test-output', 'vscode', 'electron');
  mkdirSync(outputDir, { recursive: true });
  const resultsFile = join(outputDir, 'results.json');
  rmSync(resultsFile, { force: true });

  let exitCode = 1;
  try {
    exitCode = await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: runnerBundle,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', join(scratch, 'user-data')],
      extensionTestsEnv: {
        [RunnerEnv.resultsFile]: resultsFile,
        [RunnerEnv.suiteDir]: suiteDir,
        [RunnerEnv.activate]: `${pkg.publisher}.${pkg.name}`,
        [RunnerEnv.repoRoot]: repoRoot,
        [RunnerEnv.workspace]: workspace,
        [RunnerEnv.outputDir]: outputDir,
      },
    });
  } catch (err) {
    process.stderr.write(`test:electron: ${err instanceof Error ? err.message : String(err)}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (existsSync(resultsFile)) {
    const r = JSON.parse(readFileSync(resultsFile, 'utf8')) as SuiteResults;
    for (const t of r.tests)
      process.stdout.write(`${t.state === 'passed' ? '✔' : t.state === 'failed' ? '✖' : '-'} ${t.fullTitle}${t.message ? `\n    ${t.message}` : ''}\n`);
    process.stdout.write(`${r.passes} passed, ${r.failures} failed, ${r.pending} skipped\n`);
    if (r.error) process.stderr.write(`test:electron: ${r.error}\n`);
  }
  process.exit(exitCode === 0 ? 0 : 1);
}

main().catch((err) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)));
