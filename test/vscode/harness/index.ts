// The real-VS-Code test harness (see shared/spec/real-vscode-testing.md): a VS Code 1.100.3 server from
// the code-server npm package, our extension loaded from the build, optionally the test-runner
// extension, and the workbench in headless Chromium.
//
//   const vs = await launchVscode({ name: 'e2e-codelens', folder: copyFixture('vscode-project') });
//   try {
//     await vs.workbench.openFile('src/app.ts');
//     await vs.workbench.runCommand('Lambda Workbench: Invoke Function…');
//     await vs.workbench.waitForText('Billed Duration');
//     await vs.workbench.screenshot('invoked');   // → test-output/vscode/e2e-codelens/invoked.png
//   } finally {
//     await vs.close();
//   }
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RunnerEnv, type SuiteResults } from '../runner/results';
import { linkExtension, placeRunner } from './extensions';
import { startServer, type VscodeServer } from './server';
import { distDir, ensureVscode, repoRoot, testOutputRoot } from './setup';
import { Workbench } from './workbench';

export { RunnerEnv, type SuiteResults, type TestResult, type ExtensionReport } from '../runner/results';
export { linkExtension, placeRunner, RUNNER_ID } from './extensions';
export { isAlive, killTree, processTree } from './processes';
export { DEFAULT_SETTINGS, startServer, VscodeServer } from './server';
export { chromiumPath, distDir, ensureVscode, extensionId, readManifest, repoRoot, testOutputRoot } from './setup';
export { CHROMIUM_ARGS, Workbench } from './workbench';

export interface RunnerOptions {
  /** false: only report on the extensions in `activate`, run no suites. */
  suites?: boolean;
  /** Folder of suite .js files (default dist/test/vscode-suite, the bundled test/vscode/suite/*.test.ts). */
  suiteDir?: string;
  /** Only suite files whose name contains one of these. */
  files?: string[];
  /** A mocha grep (regular expression source) on full test titles. */
  grep?: string;
  /** Extension ids to activate and report on (ExtensionReport) before the suites run. */
  activate?: string[];
  /** Mocha's per-test timeout (default 120 s). */
  timeoutMs?: number;
}

export interface LaunchOptions {
  /** Names the output folder test-output/vscode/<name>/ (screenshots, server and browser logs). */
  name: string;
  /** Absolute path of the folder to open; a temporary empty one when omitted. */
  folder?: string;
  /**
   * Our extension: 'repo' (default) links this repository, built into dist/; 'none' loads nothing;
   * or pass an existing extensions folder (e.g. one a .vsix was installed into) to use as it is.
   */
  extension?: 'repo' | 'none' | { extensionsDir: string };
  /** Place the test-runner extension and have it run the mocha suites (results in `resultsFile`). */
  runner?: boolean | RunnerOptions;
  /** Extra environment for the server, which the extension host (and so our extension) inherits. */
  env?: Record<string, string>;
  settings?: Record<string, unknown>;
  /** Open the workbench in Chromium (default true; without it the extension host never starts). */
  browser?: boolean;
}

export interface VscodeSession {
  vscodeDir: string;
  server: VscodeServer;
  /** Undefined when launched with browser: false. */
  workbench: Workbench | undefined;
  folder: string;
  outputDir: string;
  /** Scratch folder of this session (removed by close()). */
  baseDir: string;
  extensionsDir: string;
  resultsFile: string;
  /** Reads the runner's results once they are done (see waitForResults). */
  waitForResults(timeoutMs?: number): Promise<SuiteResults>;
  /** Closes the browser and ends the server's whole process tree; throws if a process survived. */
  close(): Promise<void>;
}

const fixtureCopies = new Set<string>();

/**
 * Copies test/fixtures/<name> into a fresh temporary folder so tests never dirty the repository.
 * A session opened on such a copy removes it when it closes.
 */
export function copyFixture(name: string): string {
  const from = join(repoRoot, 'test', 'fixtures', name);
  if (!existsSync(from)) throw new Error(`no fixture ${from}`);
  const to = join(mkdtempSync(join(tmpdir(), `lwb-${name}-`)), name);
  cpSync(from, to, { recursive: true });
  fixtureCopies.add(to);
  return to;
}

function readResults(file: string): SuiteResults | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SuiteResults;
  } catch {
    return undefined;
  }
}

/** How long the runner may take to activate (its first write) after the workbench opened. */
const RUNNER_START_TIMEOUT_MS = 3 * 60_000;

/** Waits for the runner's results file to say done; on timeout, throws with what had finished. */
export async function waitForResults(file: string, timeoutMs = 15 * 60_000, isDead?: () => boolean): Promise<SuiteResults> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  for (;;) {
    const r = readResults(file);
    if (r?.done) return r;
    if (!r && Date.now() - started > Math.min(RUNNER_START_TIMEOUT_MS, timeoutMs)) {
      throw new Error(
        `the test runner extension never activated (no ${file} after ${Math.min(RUNNER_START_TIMEOUT_MS, timeoutMs)} ms); see browser-console.log and server.log in the test output`,
      );
    }
    if (isDead?.()) throw new Error(`the VS Code server exited before the test runner finished${r ? ` (${r.tests.length} tests had reported)` : ''}`);
    if (Date.now() > deadline) {
      const so = r
        ? `${r.tests.length} tests had reported, the last: ${r.tests.at(-1)?.fullTitle ?? '(none)'}`
        : 'the runner never wrote its results (did it activate?)';
      throw new Error(`test runner did not finish within ${timeoutMs} ms: ${so}`);
    }
    await new Promise((res) => setTimeout(res, 500));
  }
}

/** Folder under a run's output where suites inside the extension host ask the driver for a screenshot (one empty file per name). */
export const SCREENSHOT_REQUESTS = '.screenshot-requests';

/** Takes `<outputDir>/<name>.png` for every request file `<outputDir>/.screenshot-requests/<name>`, then removes the request. */
function serveScreenshots(workbench: Workbench, outputDir: string): { stop(): void } {
  const dir = join(outputDir, SCREENSHOT_REQUESTS);
  mkdirSync(dir, { recursive: true });
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    const names = readdirSync(dir);
    if (names.length === 0) return;
    busy = true;
    void (async () => {
      for (const name of names) {
        await workbench.screenshot(name).catch(() => undefined);
        rmSync(join(dir, name), { force: true });
      }
    })().finally(() => {
      busy = false;
    });
  }, 200);
  return { stop: () => clearInterval(timer) };
}

export async function launchVscode(opts: LaunchOptions): Promise<VscodeSession> {
  const vscodeDir = ensureVscode();
  const baseDir = mkdtempSync(join(tmpdir(), `lwb-vscode-${opts.name}-`));
  const outputDir = join(testOutputRoot, opts.name);
  rmSync(outputDir, { recursive: true, force: true });
  mkdirSync(outputDir, { recursive: true });
  const folder = opts.folder ?? join(baseDir, 'workspace');
  mkdirSync(folder, { recursive: true });
  const resultsFile = join(baseDir, 'results.json');

  const ext = opts.extension ?? 'repo';
  const extensionsDir = typeof ext === 'object' ? ext.extensionsDir : join(baseDir, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  if (ext === 'repo') linkExtension(extensionsDir);

  const env: Record<string, string> = {
    [RunnerEnv.repoRoot]: repoRoot,
    [RunnerEnv.workspace]: folder,
    [RunnerEnv.outputDir]: outputDir,
    ...opts.env,
  };
  if (opts.runner) {
    placeRunner(extensionsDir);
    const r = typeof opts.runner === 'object' ? opts.runner : {};
    env[RunnerEnv.resultsFile] = resultsFile;
    env[RunnerEnv.suiteDir] = r.suiteDir ?? join(distDir, 'test', 'vscode-suite');
    if (r.suites === false) env[RunnerEnv.suites] = '0';
    if (r.files?.length) env[RunnerEnv.files] = r.files.join(',');
    if (r.grep) env[RunnerEnv.grep] = r.grep;
    if (r.activate?.length) env[RunnerEnv.activate] = r.activate.join(',');
    if (r.timeoutMs) env[RunnerEnv.timeoutMs] = String(r.timeoutMs);
  }

  const server = await startServer({ vscodeDir, baseDir, extensionsDir, logDir: outputDir, env, settings: opts.settings });
  let workbench: Workbench | undefined;
  let serverExited = false;
  server.process.once('exit', () => {
    serverExited = true;
  });

  const close = async () => {
    await workbench?.close();
    const survivors = await server.stop();
    rmSync(baseDir, { recursive: true, force: true });
    if (fixtureCopies.delete(folder)) rmSync(dirname(folder), { recursive: true, force: true });
    if (survivors.length) throw new Error(`processes survived shutdown: ${survivors.join(', ')}`);
  };

  try {
    if (opts.browser !== false) workbench = await Workbench.open(server.folderUrl(folder), { outputDir });
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }

  return {
    vscodeDir,
    server,
    workbench,
    folder,
    outputDir,
    baseDir,
    extensionsDir,
    resultsFile,
    waitForResults: async (timeoutMs?: number) => {
      // While the suites run, take the screenshots they ask for (suite/util.ts `screenshot`).
      const shots = workbench ? serveScreenshots(workbench, outputDir) : undefined;
      try {
        return await waitForResults(resultsFile, timeoutMs, () => serverExited);
      } finally {
        shots?.stop();
      }
    },
    close,
  };
}
