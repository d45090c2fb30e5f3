// The settings a parent process (the VS Code extension) hands `lambda-workbench serve`, as environment
// variables: named, typed and validated once here. The extension serializes them, `serve` parses them
// (a bad value is a usage error naming the variable and what it allows), and the host hands each part
// its own options; nothing else reads these variables. A new setting is one entry in HOST_SETTINGS.
import { BILLING_RULES } from './billing';
import { UsageError } from './errors';
import { MEMORY_RANGE_MB, TIMEOUT_RANGE_SECONDS } from './limits';

/** How one setting travels as an environment variable. */
export interface SettingKind<T> {
  /** What is allowed, for the usage error: "a whole number from 1 to 900". */
  readonly allowed: string;
  /** The value, or undefined when `raw` is not allowed. */
  parse(raw: string): T | undefined;
  serialize(value: T): string;
}

export interface SettingSpec<T> {
  readonly env: string;
  readonly kind: SettingKind<T>;
}

function integer(min: number, max: number): SettingKind<number> {
  return {
    allowed: `a whole number from ${min} to ${max}`,
    parse: (raw) => {
      const n = Number(raw.trim());
      return /^\d+$/.test(raw.trim()) && n >= min && n <= max ? n : undefined;
    },
    serialize: (n) => String(n),
  };
}

function oneOf<T extends string>(values: readonly T[]): SettingKind<T> {
  return {
    allowed: `one of ${values.join(', ')}`,
    parse: (raw) => values.find((v) => v === raw),
    serialize: (v) => v,
  };
}

const flag: SettingKind<boolean> = {
  allowed: '1, 0, true or false',
  parse: (raw) => (raw === '1' || raw === 'true' ? true : raw === '0' || raw === 'false' ? false : undefined),
  serialize: (v) => (v ? '1' : '0'),
};

function text(pattern?: RegExp, allowed = 'any text'): SettingKind<string> {
  return {
    allowed,
    parse: (raw) => (pattern === undefined || pattern.test(raw) ? raw : undefined),
    serialize: (v) => v,
  };
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Every setting `serve` reads from its environment. An empty variable counts as unset. */
export const HOST_SETTINGS = {
  /** The session token, when the parent wants to choose it. */
  token: { env: 'LAMBDA_WORKBENCH_TOKEN', kind: text(/^[A-Za-z0-9._~-]{16,256}$/, '16–256 URL-safe characters (letters, digits, . _ ~ -)') },
  logLevel: { env: 'LAMBDA_WORKBENCH_LOG_LEVEL', kind: oneOf(LOG_LEVELS) },
  billingRule: { env: 'LAMBDA_WORKBENCH_BILLING_RULE', kind: oneOf(BILLING_RULES) },
  /** How long an idle execution environment lives before it is reaped. */
  idleReapMs: { env: 'LAMBDA_WORKBENCH_IDLE_REAP_MS', kind: integer(1000, 86_400_000) },
  /** The timeout clock keeps running while a debugger has the function paused (Lambda's own behaviour). */
  wallClockTimeoutWhileDebugging: { env: 'LAMBDA_WORKBENCH_WALL_CLOCK_TIMEOUT_WHILE_DEBUGGING', kind: flag },
  pythonPath: { env: 'LAMBDA_WORKBENCH_PYTHON', kind: text() },
  /** The JDK for Java functions (a folder with bin/java and bin/javac); before JAVA_HOME and javac on PATH. */
  javaHome: { env: 'LAMBDA_WORKBENCH_JAVA_HOME', kind: text() },
  /** Memory and timeout of functions invoked by bare handler string when the request gives none. */
  defaultMemoryMB: { env: 'LAMBDA_WORKBENCH_DEFAULT_MEMORY_MB', kind: integer(...MEMORY_RANGE_MB) },
  defaultTimeoutSeconds: { env: 'LAMBDA_WORKBENCH_DEFAULT_TIMEOUT_SECONDS', kind: integer(...TIMEOUT_RANGE_SECONDS) },
  /** The local API Gateway's port (0: any free port); `serve --http-port` wins. */
  httpPort: { env: 'LAMBDA_WORKBENCH_HTTP_PORT', kind: integer(0, 65_535) },
  /** When that port is taken, the local API Gateway listens on any free port instead of failing. */
  httpPortFallback: { env: 'LAMBDA_WORKBENCH_HTTP_PORT_FALLBACK', kind: flag },
  /** Where S3 bucket folders live, relative to the project root (default `<state folder>/buckets`). */
  bucketsDir: { env: 'LAMBDA_WORKBENCH_BUCKETS_DIR', kind: text() },
  /** A profile whose credentials functions get instead of placeholders (`serve --aws-profile` wins). */
  awsProfile: { env: 'LAMBDA_WORKBENCH_AWS_PROFILE', kind: text(/^[A-Za-z0-9_.@+=,-]{1,128}$/, 'a profile name') },
  /** With a profile: services whose calls stay on the local endpoint, comma-separated (`s3,sqs`; `--local-services` wins). */
  localServices: {
    env: 'LAMBDA_WORKBENCH_LOCAL_SERVICES',
    kind: text(/^[a-z0-9]+(,[a-z0-9]+)*$/, 'service names separated by commas (s3, sqs, sns, kinesis, lambda, dynamodb, events)'),
  },
  /** More names every listener answers to besides the loopback ones, comma-separated (added to `--allow-host`). */
  allowedHosts: { env: 'LAMBDA_WORKBENCH_ALLOWED_HOSTS', kind: text() },
  /** History bounds in bytes (`--max-history-mb` wins). */
  maxHistoryMB: { env: 'LAMBDA_WORKBENCH_MAX_HISTORY_MB', kind: integer(1, 1_000_000) },
  /** The memory all live environments may take together (0: half the machine's; `--memory-budget-mb` wins). */
  memoryBudgetMB: { env: 'LAMBDA_WORKBENCH_MEMORY_BUDGET_MB', kind: integer(0, 10_000_000) },
  /** Lambda's account concurrency limit (`--account-concurrency` wins). */
  accountConcurrency: { env: 'LAMBDA_WORKBENCH_ACCOUNT_CONCURRENCY', kind: integer(1, 1_000_000) },
  /** How execution environments are isolated: auto (a cgroup where the host may make one), cgroup, or process (`--sandbox` wins). */
  sandbox: { env: 'LAMBDA_WORKBENCH_SANDBOX', kind: oneOf(['auto', 'cgroup', 'process'] as const) },
  /** `off` pauses every schedule of the template (they fire only when fired by hand; `serve --schedules` wins). */
  schedules: { env: 'LAMBDA_WORKBENCH_SCHEDULES', kind: oneOf(['on', 'off'] as const) },
  /** Durable executions: every wait and step retry delay completes at once (the record says how much was skipped; `--skip-waits` wins). */
  durableSkipWaits: { env: 'LAMBDA_WORKBENCH_DURABLE_SKIP_WAITS', kind: flag },
  /** Where the runtime's AWS SDK for Node functions comes from: auto, off or a folder (`--runtime-sdk` wins). */
  runtimeSdk: { env: 'LAMBDA_WORKBENCH_RUNTIME_SDK', kind: text() },
} as const satisfies Record<string, SettingSpec<unknown>>;

type ValueOf<S> = S extends { kind: SettingKind<infer T> } ? T : never;

export type HostSettingName = keyof typeof HOST_SETTINGS;
export type HostSettings = { [K in HostSettingName]?: ValueOf<(typeof HOST_SETTINGS)[K]> };

const NAMES = Object.keys(HOST_SETTINGS) as HostSettingName[];

/** Reads every setting present in `env`; throws a UsageError naming the variable and what it allows. */
export function parseHostSettings(env: Readonly<Record<string, string | undefined>>): HostSettings {
  const settings: Record<string, unknown> = {};
  for (const name of NAMES) {
    const spec: SettingSpec<unknown> = HOST_SETTINGS[name];
    const raw = env[spec.env];
    if (raw === undefined || raw === '') continue;
    const value = spec.kind.parse(raw);
    if (value === undefined) throw new UsageError(`${spec.env} must be ${spec.kind.allowed}, got '${raw}'`);
    settings[name] = value;
  }
  return settings as HostSettings;
}

/** The environment variables that carry `settings` (only those that are set). */
export function serializeHostSettings(settings: HostSettings): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of NAMES) {
    const value = settings[name];
    if (value === undefined) continue;
    const spec = HOST_SETTINGS[name] as SettingSpec<typeof value>;
    env[spec.env] = spec.kind.serialize(value);
  }
  return env;
}
