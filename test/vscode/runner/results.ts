// The contract between the test-runner extension (inside VS Code's extension host) and the node:test
// driver outside it: the environment variables the runner reads and the JSON file it writes.
// No Node or vscode imports here: both sides import it.

/** Environment variables the runner reads. The extension host inherits them from the server process. */
export const RunnerEnv = {
  /** Absolute path of the JSON results file ({@link SuiteResults}); the runner does nothing without it. */
  resultsFile: 'LAMBDA_WORKBENCH_TEST_RESULTS',
  /** Folder with the bundled mocha suites (default: dist/test/vscode-suite next to the runner bundle). */
  suiteDir: 'LAMBDA_WORKBENCH_TEST_SUITE_DIR',
  /** "0": only report on the extensions to activate, run no suites. */
  suites: 'LAMBDA_WORKBENCH_TEST_SUITES',
  /** Comma-separated substrings; only suite files whose name contains one of them run. Unset: all. */
  files: 'LAMBDA_WORKBENCH_TEST_FILES',
  /** A mocha `grep` pattern (a regular expression source) on full test titles. Unset: all. */
  grep: 'LAMBDA_WORKBENCH_TEST_GREP',
  /** Comma-separated extension ids the runner activates and reports on before the suites run. */
  activate: 'LAMBDA_WORKBENCH_TEST_ACTIVATE',
  /** Per-test timeout in milliseconds for mocha (default 120000: everything here runs real processes). */
  timeoutMs: 'LAMBDA_WORKBENCH_TEST_TIMEOUT_MS',
  /** The repository root (so suites can find dist/, fixtures, …). */
  repoRoot: 'LAMBDA_WORKBENCH_REPO',
  /** Absolute path of the workspace folder the workbench was opened on. */
  workspace: 'LAMBDA_WORKBENCH_TEST_WORKSPACE',
  /** Folder for files tests leave for people to look at (screenshots, logs): test-output/vscode/<run>. */
  outputDir: 'LAMBDA_WORKBENCH_TEST_OUTPUT',
} as const;

export type TestState = 'passed' | 'failed' | 'pending';

export interface TestResult {
  /** Order in which mocha reported it. */
  index: number;
  title: string;
  /** Suite titles and test title joined by spaces, as mocha prints it. */
  fullTitle: string;
  /** Suite file (basename) the test came from, when known. */
  file?: string;
  state: TestState;
  durationMs?: number;
  /** Failures only: the error message and stack. */
  message?: string;
  stack?: string;
}

export interface ExtensionReport {
  id: string;
  found: boolean;
  extensionPath?: string;
  version?: string;
  isActive?: boolean;
  /** The error activate() threw, if it did. */
  activationError?: string;
  /** Commands from the extension's manifest `contributes.commands` that are not registered after activation. */
  missingCommands?: string[];
  contributedCommands?: number;
}

export interface SuiteResults {
  /** False while the suites run (the file is rewritten after every test), true at the end. */
  done: boolean;
  vscodeVersion: string;
  /** The extension host's Node version and executable (to prove where we ran). */
  node: { version: string; execPath: string };
  workspaceFolders: string[];
  suiteFiles: string[];
  extensions: ExtensionReport[];
  tests: TestResult[];
  passes: number;
  failures: number;
  pending: number;
  durationMs: number;
  /** A failure outside any test: no suite folder, a suite file that throws on load, mocha itself. */
  error?: string;
}
