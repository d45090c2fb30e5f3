// What a hostile web page, a DNS-rebound name or a careless payload can do to a real `serve`: every
// listener checks Host, the Invoke API wants a SigV4-shaped Authorization and a local Origin, functions
// get placeholder credentials unless a profile is named, and oversized or too-deep input is the client's error.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PLACEHOLDER_CREDENTIALS } from '../../runtime-host/runtime/aws-environment';
import { cli, copyFixture, removeDir, startServe, upgradeStatus, type ServeProcess } from './serve-helpers';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request: node's fetch will not send a chosen Host header. */
function raw(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    // A server that refuses before reading a large body may close while it is still being sent.
    req.on('error', reject);
    req.end(options.body);
  });
}

const SIGV4 = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc123';
const HOST_SECRETS = {
  AWS_ACCESS_KEY_ID: 'AKIAHOSTDEVELOPERKEY',
  AWS_SECRET_ACCESS_KEY: 'the-developers-real-secret',
  AWS_SESSION_TOKEN: 'the-developers-session',
  AWS_PROFILE: 'developer',
};

type EnvSeen = Record<string, string | null>;

describe('serve: local requests only, placeholder credentials, bad input', () => {
  let project: string;
  let serve: ServeProcess;
  let lambda: LambdaClient;
  const invokeUrl = (fn: string) => `${serve.ready.invokeApi}/2015-03-31/functions/${fn}/invocations`;
  const port = (url: string) => new URL(url).port;

  before(async () => {
    project = copyFixture('trust-project');
    serve = await startServe(['--root', project, '--allow-host', 'my-box.local'], { env: HOST_SECRETS, timeoutMs: 60_000 });
    lambda = new LambdaClient({
      endpoint: serve.ready.invokeApi,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });

  after(async () => {
    lambda?.destroy();
    await serve?.stop();
    removeDir(project);
  });

  it('Host: evil.example is refused with 403 on every listener', async () => {
    const evil = (url: string) => ({ host: `evil.example:${port(url)}` });
    const dashboard = await raw(serve.ready.dashboard!, { headers: evil(serve.ready.dashboard!) });
    assert.equal(dashboard.status, 403);
    const wsHttp = await raw(`${serve.ready.ws.replace('ws:', 'http:')}/anything`, { headers: evil(serve.ready.ws) });
    assert.equal(wsHttp.status, 403);
    assert.match(wsHttp.body, /answers only to 127\.0\.0\.1:\d+, localhost:\d+/);
    const upgrade = await upgradeStatus(`${serve.ready.ws}/?token=${serve.ready.token}`, evil(serve.ready.ws));
    assert.equal(upgrade, 403);
    const invoke = await raw(invokeUrl('EnvFunction'), {
      method: 'POST',
      headers: { ...evil(serve.ready.invokeApi), authorization: SIGV4, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(invoke.status, 403);
    assert.equal(invoke.headers['x-amzn-errortype'], 'AccessDeniedException');
    assert.equal((JSON.parse(invoke.body) as { Type: string }).Type, 'User');
    const httpApi = await raw(`${serve.ready.httpApi}/env`, { method: 'POST', headers: evil(serve.ready.httpApi!), body: '{}' });
    assert.equal(httpApi.status, 403);
    const functionUrl = await raw(`${serve.ready.httpApi}/lambda-url/EnvFunction/`, { headers: { host: 'evil.example' } });
    assert.equal(functionUrl.status, 403);
    // A loopback name on another port is not this listener either.
    const otherPort = await raw(`${serve.ready.httpApi}/env`, { method: 'POST', headers: { host: '127.0.0.1:1' }, body: '{}' });
    assert.equal(otherPort.status, 403);
  });

  it('names allowed with --allow-host are served; localhost and [::1] too', async () => {
    const allowed = await raw(`${serve.ready.httpApi}/env`, { method: 'POST', headers: { host: `my-box.local:${port(serve.ready.httpApi!)}` }, body: 'x' });
    assert.equal(allowed.status, 200);
    const localhost = await raw(invokeUrl('EnvFunction'), {
      method: 'POST',
      headers: { host: `localhost:${port(serve.ready.invokeApi)}`, authorization: SIGV4 },
      body: '{}',
    });
    assert.equal(localhost.status, 200);
    const v6 = await raw(serve.ready.dashboard!, { headers: { host: `[::1]:${port(serve.ready.dashboard!)}` } });
    assert.equal(v6.status, 200);
  });

  it("a browser's simple request (text/plain, no Authorization) cannot invoke a function", async () => {
    const res = await fetch(invokeUrl('EnvFunction'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    const body = (await res.json()) as { Type: string; message: string };
    assert.equal(body.Type, 'User');
    assert.match(body.message, /^Missing Authentication Token/);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });

  it('a foreign Origin is refused even with a SigV4 header; a local Origin is not', async () => {
    const foreign = await raw(invokeUrl('EnvFunction'), { method: 'POST', headers: { origin: 'https://evil.example', authorization: SIGV4 }, body: '{}' });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers['x-amzn-errortype'], 'AccessDeniedException');
    assert.match((JSON.parse(foreign.body) as { message: string }).message, /Origin https:\/\/evil\.example/);
    const nullOrigin = await raw(invokeUrl('EnvFunction'), { method: 'POST', headers: { origin: 'null', authorization: SIGV4 }, body: '{}' });
    assert.equal(nullOrigin.status, 403);
    const local = await raw(invokeUrl('EnvFunction'), { method: 'POST', headers: { origin: 'http://localhost:5173', authorization: SIGV4 }, body: '{}' });
    assert.equal(local.status, 200);
  });

  it('an Authorization header that is not SigV4 is refused', async () => {
    const res = await raw(invokeUrl('EnvFunction'), { method: 'POST', headers: { authorization: 'Bearer abc' }, body: '{}' });
    assert.equal(res.status, 403);
    assert.equal(res.headers['x-amzn-errortype'], 'IncompleteSignatureException');
  });

  it("the real AWS SDK still works, and the function sees placeholder credentials, never the host's", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'EnvFunction', Payload: new TextEncoder().encode('{}') }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, undefined);
    const seen = JSON.parse(new TextDecoder().decode(out.Payload)) as EnvSeen;
    assert.equal(seen.AWS_ACCESS_KEY_ID, PLACEHOLDER_CREDENTIALS.accessKeyId);
    assert.equal(seen.AWS_SECRET_ACCESS_KEY, PLACEHOLDER_CREDENTIALS.secretAccessKey);
    assert.equal(seen.AWS_SESSION_TOKEN, PLACEHOLDER_CREDENTIALS.sessionToken);
    assert.equal(seen.AWS_PROFILE, null);
    assert.equal(seen.AWS_SHARED_CREDENTIALS_FILE, '/dev/null');
    assert.equal(seen.GREETING, 'hi');
    assert.equal(serve.ready.awsProfile, undefined);
  });

  it('the Runtime API of a warm environment refuses a foreign Host (a rebound page cannot take its events)', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'EnvFunction', Payload: new TextEncoder().encode('{}') }));
    const runtimeApi = (JSON.parse(new TextDecoder().decode(out.Payload)) as EnvSeen).AWS_LAMBDA_RUNTIME_API!;
    assert.match(runtimeApi, /^127\.0\.0\.1:\d+$/);
    const port = runtimeApi.split(':')[1];
    const next = await raw(`http://${runtimeApi}/2018-06-01/runtime/invocation/next`, { headers: { host: `evil.example:${port}` } });
    assert.equal(next.status, 403);
    const response = await raw(`http://${runtimeApi}/2018-06-01/runtime/invocation/abc/response`, {
      method: 'POST',
      headers: { host: `evil.example:${port}` },
      body: '{}',
    });
    assert.equal(response.status, 403);
    // The environment still serves its function.
    const again = await lambda.send(new InvokeCommand({ FunctionName: 'EnvFunction', Payload: new TextEncoder().encode('{}') }));
    assert.equal(again.FunctionError, undefined);
  });

  it('JSON nested 6,000 deep is a 400 InvalidRequestContentException, not a 500', async () => {
    const deep = '['.repeat(6000) + ']'.repeat(6000);
    const res = await raw(invokeUrl('EnvFunction'), { method: 'POST', headers: { authorization: SIGV4 }, body: deep });
    assert.equal(res.status, 400);
    assert.equal(res.headers['x-amzn-errortype'], 'InvalidRequestContentException');
    // The host is still fine afterwards.
    const ok = await raw(invokeUrl('EnvFunction'), { method: 'POST', headers: { authorization: SIGV4 }, body: '{"a":[[[1]]]}' });
    assert.equal(ok.status, 200);
  });

  it('a 9 MB body to the API Gateway is a 413, not a 500', async () => {
    const res = await raw(`${serve.ready.httpApi}/env`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: Buffer.alloc(9 * 1024 * 1024, 'a'),
    });
    assert.equal(res.status, 413);
    assert.deepEqual(JSON.parse(res.body), { message: 'Request Entity Too Large' });
  });
});

describe('--aws-profile: the named profile, resolved once, given to functions', () => {
  let home: string;
  let credentials: string;
  const profileEnv = () => ({ ...HOST_SECRETS, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: join(home, 'config') });

  before(() => {
    home = mkdtempSync(join(tmpdir(), 'lw-aws-home-'));
    credentials = join(home, 'credentials');
    writeFileSync(
      credentials,
      [
        '[default]',
        'aws_access_key_id = AKIADEFAULTPROFILE00',
        'aws_secret_access_key = default-secret',
        '',
        '[work]',
        'aws_access_key_id = AKIAWORKPROFILEKEY00',
        'aws_secret_access_key = work-secret',
        'aws_session_token = work-session',
      ].join('\n'),
    );
    writeFileSync(join(home, 'config'), ['[profile sso-only]', 'sso_session = corp', 'region = eu-west-1', ''].join('\n'));
  });

  after(() => removeDir(home));

  it('invoke --aws-profile work: the function sees the profile keys', () => {
    const project = copyFixture('trust-project');
    try {
      const r = spawnSync(process.execPath, [cli, 'invoke', 'src/env.handler', '--root', project, '--aws-profile', 'work'], {
        env: { ...process.env, ...profileEnv() },
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(r.status, 0, r.stderr);
      const seen = JSON.parse(r.stdout) as EnvSeen;
      assert.equal(seen.AWS_ACCESS_KEY_ID, 'AKIAWORKPROFILEKEY00');
      assert.equal(seen.AWS_SECRET_ACCESS_KEY, 'work-secret');
      assert.equal(seen.AWS_SESSION_TOKEN, 'work-session');
      assert.match(r.stderr, /credentials of AWS profile 'work'/);
      // Without the flag: placeholders, whatever the host has.
      const plain = spawnSync(process.execPath, [cli, 'invoke', 'src/env.handler', '--root', project], {
        env: { ...process.env, ...profileEnv() },
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(plain.status, 0, plain.stderr);
      assert.equal((JSON.parse(plain.stdout) as EnvSeen).AWS_ACCESS_KEY_ID, PLACEHOLDER_CREDENTIALS.accessKeyId);
    } finally {
      removeDir(project);
    }
  });

  it('with a profile, calls go to real AWS except the services --local-services keeps on the local endpoint', async () => {
    const project = copyFixture('trust-project');
    const serve = await startServe(['--root', project, '--aws-profile', 'work', '--local-services', 's3'], { env: profileEnv(), timeoutMs: 60_000 });
    const lambda = new LambdaClient({
      endpoint: serve.ready.invokeApi,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
    try {
      assert.match(serve.stderr(), /except s3, which stay on the local endpoint/);
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'EnvFunction', Payload: new TextEncoder().encode('{}') }));
      const seen = JSON.parse(new TextDecoder().decode(out.Payload)) as EnvSeen;
      assert.equal(seen.AWS_ENDPOINT_URL_S3, serve.ready.awsEndpoint);
      assert.equal(seen.AWS_ENDPOINT_URL_SQS, null, 'SQS goes to real AWS');
      assert.equal(seen.AWS_ACCESS_KEY_ID, 'AKIAWORKPROFILEKEY00');
    } finally {
      lambda.destroy();
      await serve.stop();
      removeDir(project);
    }
  });

  it('serve --aws-profile work says so in the ready line and a warning; functions get the keys', async () => {
    const project = copyFixture('trust-project');
    const serve = await startServe(['--root', project, '--aws-profile', 'work'], { env: profileEnv(), timeoutMs: 60_000 });
    const lambda = new LambdaClient({
      endpoint: serve.ready.invokeApi,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
    try {
      assert.equal(serve.ready.awsProfile, 'work');
      assert.match(serve.stderr(), /WARN .*AWS profile 'work'.*real AWS/);
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'EnvFunction', Payload: new TextEncoder().encode('{}') }));
      const seen = JSON.parse(new TextDecoder().decode(out.Payload)) as EnvSeen;
      assert.equal(seen.AWS_ACCESS_KEY_ID, 'AKIAWORKPROFILEKEY00');
      assert.equal(seen.AWS_SESSION_TOKEN, 'work-session');
    } finally {
      lambda.destroy();
      await serve.stop();
      removeDir(project);
    }
  });

  it('a missing profile, or one that needs SSO, is a usage error (exit 2) naming what to do', () => {
    const project = copyFixture('trust-project');
    try {
      const missing = spawnSync(process.execPath, [cli, 'serve', '--root', project, '--aws-profile', 'nope'], {
        env: { ...process.env, ...profileEnv() },
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /AWS profile 'nope' not found/);
      assert.match(missing.stderr, /known profiles: default, work, sso-only/);
      assert.doesNotMatch(missing.stderr, /\n\s+at /);
      const sso = spawnSync(process.execPath, [cli, 'invoke', 'src/env.handler', '--root', project, '--aws-profile', 'sso-only'], {
        env: { ...process.env, ...profileEnv() },
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(sso.status, 2);
      assert.match(sso.stderr, /IAM Identity Center \(SSO\)/);
      assert.match(sso.stderr, /aws configure export-credentials --profile sso-only/);
    } finally {
      removeDir(project);
    }
  });
});
