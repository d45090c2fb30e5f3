// The settings contract between the extension and `serve`: what one side serializes the other parses
// back unchanged, and a bad value is a usage error naming the variable and what it allows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../runtime-host/protocol/errors';
import { HOST_SETTINGS, parseHostSettings, serializeHostSettings, type HostSettings } from '../../runtime-host/protocol/settings';

describe('host settings', () => {
  it('round-trips every setting through the environment', () => {
    const settings: Required<HostSettings> = {
      token: 'a'.repeat(48),
      logLevel: 'warn',
      billingRule: 'legacy-100ms',
      idleReapMs: 60_000,
      wallClockTimeoutWhileDebugging: true,
      pythonPath: '/usr/bin/python3',
      javaHome: '/usr/lib/jvm/java-17-openjdk-amd64',
      defaultMemoryMB: 512,
      defaultTimeoutSeconds: 7,
      httpPort: 0,
      httpPortFallback: true,
      bucketsDir: 'data/buckets',
      awsProfile: 'work',
      allowedHosts: 'dev.local,box:8080',
      maxHistoryMB: 64,
      memoryBudgetMB: 4096,
      accountConcurrency: 50,
      runtimeSdk: 'off',
      sandbox: 'process',
      schedules: 'off',
      localServices: 's3,sqs',
      durableSkipWaits: true,
    };
    const env = serializeHostSettings(settings);
    assert.deepEqual(
      Object.keys(env).sort(),
      Object.values(HOST_SETTINGS)
        .map((s) => s.env)
        .sort(),
    );
    assert.equal(env.LAMBDA_WORKBENCH_WALL_CLOCK_TIMEOUT_WHILE_DEBUGGING, '1');
    assert.deepEqual(parseHostSettings(env), settings);
  });

  it('reads nothing from an environment without its variables, and treats empty as unset', () => {
    assert.deepEqual(parseHostSettings({ PATH: '/bin', LAMBDA_WORKBENCH_BILLING_RULE: '' }), {});
  });

  it('a bad value is a UsageError naming the variable and what is allowed', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { LAMBDA_WORKBENCH_BILLING_RULE: 'per-second' },
        /^LAMBDA_WORKBENCH_BILLING_RULE must be one of per-ms-with-init, per-ms, legacy-100ms, got 'per-second'$/,
      ],
      [{ LAMBDA_WORKBENCH_DEFAULT_MEMORY_MB: '64' }, /^LAMBDA_WORKBENCH_DEFAULT_MEMORY_MB must be a whole number from 128 to 10240, got '64'$/],
      [{ LAMBDA_WORKBENCH_HTTP_PORT: '3000.5' }, /^LAMBDA_WORKBENCH_HTTP_PORT must be a whole number from 0 to 65535/],
      [{ LAMBDA_WORKBENCH_WALL_CLOCK_TIMEOUT_WHILE_DEBUGGING: 'yes' }, /must be 1, 0, true or false, got 'yes'$/],
      [{ LAMBDA_WORKBENCH_TOKEN: 'short' }, /^LAMBDA_WORKBENCH_TOKEN must be 16–256 URL-safe characters/],
      [{ LAMBDA_WORKBENCH_LOG_LEVEL: 'verbose' }, /^LAMBDA_WORKBENCH_LOG_LEVEL must be one of debug, info, warn, error/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => parseHostSettings(env),
        (err: unknown) => err instanceof UsageError && message.test(err.message),
        JSON.stringify(env),
      );
    }
  });
});
