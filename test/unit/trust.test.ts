// The pure parts of the trust rules: which Host and Origin are local, the AWS variables an environment
// gets, profile resolution, JSON depth, and paths that must stay inside their root (real files, no mocks).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { awsEnvironment, PLACEHOLDER_CREDENTIALS, resolveProfileCredentials } from '../../runtime-host/runtime/aws-environment';
import { resolveInsideRoot } from '../../runtime-host/runtime/inside-root';
import { lambdaEnvironment } from '../../runtime-host/runtime/launch-environment';
import type { FunctionConfig } from '../../runtime-host/runtime/types';
import { jsonNestingExceeds } from '../../runtime-host/server/json-depth';
import { JsonRpcDispatcher } from '../../runtime-host/server/json-rpc';
import { checkAwsClientRequest, hostAllowed, isLocalOrigin, parseAllowedHosts } from '../../runtime-host/server/local-request';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

describe('local-request: Host and Origin', () => {
  it('accepts the loopback names with the listener port only', () => {
    for (const h of ['127.0.0.1:3000', 'localhost:3000', 'LOCALHOST:3000', '[::1]:3000', 'localhost.:3000'])
      assert.equal(hostAllowed(h, { port: 3000 }), true, h);
    for (const h of ['evil.example:3000', '127.0.0.1:3001', '127.0.0.1', 'localhost.evil.example:3000', '127.0.0.1.nip.io:3000', '', 'a:b:c'])
      assert.equal(hostAllowed(h, { port: 3000 }), false, h);
    assert.equal(hostAllowed(undefined, { port: 3000 }), false);
    assert.equal(hostAllowed('localhost', { port: 80 }), true);
  });

  it('accepts allowed names, and <bucket>.localhost only when asked', () => {
    assert.equal(hostAllowed('my-box.local:3000', { port: 3000, allowedHosts: ['my-box.local'] }), true);
    assert.equal(hostAllowed('my-box.local:3001', { port: 3000, allowedHosts: ['my-box.local'] }), false);
    // A forwarded port: that name on that port only.
    assert.equal(hostAllowed('localhost:3001', { port: 3000, allowedHosts: ['localhost:3001'] }), true);
    assert.equal(hostAllowed('localhost:3002', { port: 3000, allowedHosts: ['localhost:3001'] }), false);
    assert.equal(hostAllowed('evil.example:3001', { port: 3000, allowedHosts: ['localhost:3001'] }), false);
    assert.equal(hostAllowed('photos.localhost:4566', { port: 4566 }), false);
    assert.equal(hostAllowed('photos.localhost:4566', { port: 4566, allowLocalhostSubdomains: true }), true);
  });

  it('local origins: loopback on any port, VS Code webviews, allowed names; never null or a foreign site', () => {
    for (const o of ['http://localhost:5173', 'http://127.0.0.1:3000', 'https://localhost', 'http://[::1]:8080', 'vscode-webview://abc'])
      assert.equal(isLocalOrigin(o), true, o);
    for (const o of ['null', 'https://evil.example', 'http://localhost.evil.example', 'file://', 'http://localhost:5173/path', 'ftp://localhost'])
      assert.equal(isLocalOrigin(o), false, o);
    assert.equal(isLocalOrigin('http://my-box.local:3000', ['my-box.local']), true);
  });

  it('--allow-host takes plain names, comma-separated or repeated', () => {
    assert.deepEqual(parseAllowedHosts(['a.local,B.example', ' c ']), ['a.local', 'b.example', 'c']);
    assert.throws(() => parseAllowedHosts(['http://a.local']), /is not a host name/);
    assert.deepEqual(parseAllowedHosts(['localhost:3001']), ['localhost:3001']);
    assert.throws(() => parseAllowedHosts(['a.local:port']), /is not a host name/);
    assert.throws(() => parseAllowedHosts(['a.local/x']), /is not a host name/);
  });
});

describe('checkAwsClientRequest on a real server (for the local AWS endpoint)', () => {
  let server: Server;
  let port = 0;
  before(async () => {
    server = createServer((req, res) => {
      const refused = checkAwsClientRequest(req, { port, allowPresignedQuery: true });
      res.end(refused ? refused.errorType : 'ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());
  const ask = (path: string, headers: Record<string, string>) =>
    new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });

  it('signed header or presigned query pass; unsigned, foreign origin or a foreign Host do not', async () => {
    const sig = 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0';
    assert.equal(await ask('/b/k', { authorization: sig }), 'ok');
    assert.equal(
      await ask('/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=0', {}),
      'ok',
    );
    assert.equal(await ask('/b/k', {}), 'MissingAuthenticationTokenException');
    assert.equal(await ask('/b/k', { authorization: 'AWS AKID:sig' }), 'IncompleteSignatureException');
    assert.equal(await ask('/b/k', { authorization: sig, origin: 'https://evil.example' }), 'AccessDeniedException');
    assert.equal(await ask('/b/k', { authorization: sig, host: 'evil.example' }), 'AccessDeniedException');
  });
});

describe('aws-environment: one policy for credentials, region and endpoints', () => {
  it('placeholder credentials by default, whatever the host has', () => {
    const env = awsEnvironment('eu-west-1');
    assert.equal(env.AWS_ACCESS_KEY_ID, PLACEHOLDER_CREDENTIALS.accessKeyId);
    assert.match(env.AWS_ACCESS_KEY_ID!, /^AKIA[A-Z0-9]{16}$/);
    assert.equal(env.AWS_SESSION_TOKEN, PLACEHOLDER_CREDENTIALS.sessionToken);
    assert.equal(env.AWS_REGION, 'eu-west-1');
    assert.equal(env.AWS_DEFAULT_REGION, 'eu-west-1');
    assert.equal(env.AWS_ENDPOINT_URL, undefined);
  });

  it('an endpoint: the catch-all and one variable per local service; a service sent to AWS gets neither', () => {
    const local = awsEnvironment('us-east-1', { endpointUrl: 'http://127.0.0.1:4566' });
    assert.equal(local.AWS_ENDPOINT_URL, 'http://127.0.0.1:4566');
    assert.equal(local.AWS_ENDPOINT_URL_S3, 'http://127.0.0.1:4566');
    assert.equal(local.AWS_ENDPOINT_URL_SQS, 'http://127.0.0.1:4566');
    const mixed = awsEnvironment('us-east-1', {
      endpointUrl: 'http://127.0.0.1:4566',
      services: { s3: 'aws' },
      profile: { profile: 'work', source: 'f', accessKeyId: 'AKIAWORK', secretAccessKey: 's' },
    });
    assert.equal(mixed.AWS_ENDPOINT_URL, undefined);
    assert.equal(mixed.AWS_ENDPOINT_URL_S3, undefined);
    assert.equal(mixed.AWS_ENDPOINT_URL_SQS, 'http://127.0.0.1:4566');
    assert.equal(mixed.AWS_ACCESS_KEY_ID, 'AKIAWORK');
    assert.equal(mixed.AWS_SESSION_TOKEN, undefined);
  });

  it("lambdaEnvironment: the host's AWS variables and a function's credential variables never pass", () => {
    const fn = {
      name: 'F',
      handler: 'app.handler',
      runtime: 'nodejs22.x',
      memorySizeMB: 128,
      codeUri: '/tmp',
      environment: { AWS_ACCESS_KEY_ID: 'template', AWS_ENDPOINT_URL_S3: 'http://mine', X: '1' },
    };
    const env = lambdaEnvironment(fn as unknown as FunctionConfig, {
      runtimeApi: '127.0.0.1:1',
      region: 'us-east-1',
      accountId: '123456789012',
      logStreamName: 's',
      hostEnv: { PATH: '/bin', AWS_ACCESS_KEY_ID: 'host', AWS_PROFILE: 'dev', AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://x' },
    });
    assert.equal(env.AWS_ACCESS_KEY_ID, PLACEHOLDER_CREDENTIALS.accessKeyId);
    assert.equal(env.AWS_PROFILE, undefined);
    assert.equal(env.AWS_CONTAINER_CREDENTIALS_FULL_URI, undefined);
    assert.equal(env.AWS_ENDPOINT_URL_S3, 'http://mine');
    assert.equal(env.X, '1');
    assert.equal(env.PATH, '/bin');
  });

  describe('resolveProfileCredentials', () => {
    let dir: string;
    const env = () => ({ AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_CONFIG_FILE: join(dir, 'config'), HOME: dir });
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'lw-profiles-'));
      writeFileSync(join(dir, 'credentials'), '# comment\n[creds]\naws_access_key_id=AKIACREDS\naws_secret_access_key = s1\n');
      writeFileSync(
        join(dir, 'config'),
        '[default]\nregion = us-east-1\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s0\n[profile cfg]\naws_access_key_id = AKIACFG\naws_secret_access_key = s2\naws_session_token = t2\ns3 =\n  max_concurrent_requests = 2\n[profile proc]\ncredential_process = /bin/get-creds\n[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = creds\n',
      );
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('static keys from the credentials file, then the config file', () => {
      assert.deepEqual(resolveProfileCredentials('creds', env()), {
        profile: 'creds',
        source: join(dir, 'credentials'),
        accessKeyId: 'AKIACREDS',
        secretAccessKey: 's1',
      });
      assert.equal(resolveProfileCredentials('cfg', env()).sessionToken, 't2');
      assert.equal(resolveProfileCredentials('default', env()).accessKeyId, 'AKIADEFAULT');
    });

    it('a profile that needs a process or a role is a UserError naming it', () => {
      assert.throws(
        () => resolveProfileCredentials('proc', env()),
        (e: Error) => e.name === 'UserError' && /a credential_process/.test(e.message),
      );
      assert.throws(() => resolveProfileCredentials('role', env()), /an assumed role/);
      assert.throws(() => resolveProfileCredentials('missing', env()), /AWS profile 'missing' not found/);
    });
  });
});

describe('json-depth', () => {
  it('counts nesting outside strings only', () => {
    assert.equal(jsonNestingExceeds('[[[]]]', 3), false);
    assert.equal(jsonNestingExceeds('[[[[]]]]', 3), true);
    assert.equal(jsonNestingExceeds(`{"a":"${'['.repeat(5000)}\\""}`, 3), false);
    assert.equal(jsonNestingExceeds('['.repeat(6000) + ']'.repeat(6000)), true);
  });

  it('the JSON-RPC dispatcher answers -32602 for a frame nested 6,000 deep', async () => {
    const dispatcher = new JsonRpcDispatcher();
    dispatcher.register('invoke', async (p) => JSON.stringify(p));
    const deep = '['.repeat(6000) + ']'.repeat(6000);
    const reply = JSON.parse((await dispatcher.handle(`{"jsonrpc":"2.0","id":1,"method":"invoke","params":{"event":${deep}}}`))!) as {
      error: { code: number; message: string };
    };
    assert.equal(reply.error.code, -32602);
    assert.match(reply.error.message, /deeper than 1000 levels/);
  });
});

describe('resolveInsideRoot', () => {
  let root: string;
  let outside: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'lw-root-'));
    outside = mkdtempSync(join(tmpdir(), 'lw-out-'));
    mkdirSync(join(root, 'a', 'real'), { recursive: true });
    symlinkSync(join(root, 'a', 'real'), join(root, 'a', 'inner-link'));
    symlinkSync(outside, join(root, 'a', 'out-link'));
    symlinkSync(join(root, 'nowhere'), join(root, 'a', 'dangling'));
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('resolves inside paths, following links that stay inside; missing tails are kept', async () => {
    assert.equal(await resolveInsideRoot(root, 'a/real/x.txt'), join(root, 'a', 'real', 'x.txt'));
    assert.equal(await resolveInsideRoot(root, 'a/inner-link/new/y.txt'), join(root, 'a', 'real', 'new', 'y.txt'));
  });

  it('refuses .., absolute paths, links out and dangling links', async () => {
    for (const p of ['../x', 'a/../../x', '/etc/passwd', 'a/out-link/x', 'a/out-link', 'a/dangling/x']) {
      await assert.rejects(resolveInsideRoot(root, p), (e: Error) => e.name === 'UserError', p);
    }
    await assert.rejects(resolveInsideRoot(root, 'a/inner-link', { noFinalSymlink: true }), /through the symlink a\/inner-link/);
  });
});
