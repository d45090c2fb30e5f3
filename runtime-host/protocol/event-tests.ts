// Saved events as tests: an event `events/<Fn>/<name>.json` with an expected response beside it
// (`<name>.expected.json`) passes when the function answers it with that response. The comparison is the
// host's (`events.check`), so the Test Explorer and `lambda-workbench test` judge alike. Types only.

/** The suffix of an expected-response file, next to the event it belongs to. */
export const EXPECTED_RESPONSE_SUFFIX = '.expected.json';

/** What an invocation answered, as a test compares it: the result, or the function error. */
export interface ResponseUnderTest {
  result?: unknown;
  error?: { errorType: string; errorMessage: string };
}

/**
 * The expected-response file: `result` (any JSON, `null` included) or `error`, plus `$ignore`, paths
 * that are not compared at all (`body.timestamp`, `items[*].id`, `headers["x-request-id"]`). Paths are
 * rooted at the result (or at the error object); a string holding JSON on both sides (an API Gateway
 * `body`) is compared as the JSON it holds, so paths go on into it.
 */
export interface ExpectedResponseFile {
  $ignore?: string[];
  result?: unknown;
  error?: { errorType?: string; errorMessage?: string };
}

export interface ResponseDifference {
  /** Where, in the `$ignore` path syntax; empty for the whole response. */
  path: string;
  /** `missing`: expected but absent; `unexpected`: present but not expected; `changed`: another value. */
  kind: 'changed' | 'missing' | 'unexpected';
  expected?: unknown;
  actual?: unknown;
}

export interface EventCheck {
  function: string;
  name: string;
  /** `error`: the expected-response file itself is unusable (invalid JSON, neither result nor error). */
  status: 'passed' | 'failed' | 'error';
  /** Workspace-relative path of the expected-response file, whether or not it exists. */
  expectedPath: string;
  /** Without one, an event passes when the function succeeds and fails on a function error. */
  hasExpected: boolean;
  /** One line for a test report: what differs (the first few differences), or why it passed. */
  message: string;
  differences: ResponseDifference[];
  /**
   * Both sides as pretty JSON for a diff view: keys sorted, JSON strings compared as JSON shown expanded,
   * ignored paths showing the actual value on both sides. Absent when there is nothing to compare against.
   */
  expectedText?: string;
  actualText?: string;
}
