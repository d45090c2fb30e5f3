// `lambda-workbench event list|generate` through the built CLI (dist/cli.js), as a user runs it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('event list prints a table of every template with source, description and params', () => {
  const r = cli('event', 'list');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^NAME\s+SOURCE\s+DESCRIPTION\s+PARAMS$/);
  assert.equal(lines.length, 15);
  assert.match(lines[1]!, /^s3-put\s+S3\s+S3 ObjectCreated:Put notification\s+bucket, key, region, sourceIp, configurationId, size, eTag$/);
  assert.ok(lines.some((l) => /^http-api\s+API Gateway\s+API Gateway HTTP API \(payload 2\.0\)\s+method, path, query/.test(l)));
  // Columns line up: every SOURCE column starts at the same offset.
  const col = lines[0]!.indexOf('SOURCE');
  for (const l of lines.slice(1)) assert.notEqual(l[col - 1], undefined);
  assert.ok(lines.slice(1).every((l) => l.slice(0, col).trimEnd().length < col && l[col] !== ' '));
});

test('event generate prints the event JSON with the given params and fresh ids', () => {
  const a = cli('event', 'generate', 's3-put', '--param', 'bucket=photos', '--param', 'key=my cat.jpg', '-p', 'size=42');
  assert.equal(a.code, 0, a.stderr);
  const event = JSON.parse(a.stdout);
  assert.equal(event.Records[0].s3.bucket.name, 'photos');
  assert.equal(event.Records[0].s3.object.key, 'my+cat.jpg');
  assert.equal(event.Records[0].s3.object.size, 42);
  assert.ok(a.stdout.startsWith('{\n  "Records": [\n'), 'pretty-printed with two spaces');
  const b = JSON.parse(cli('event', 'generate', 's3-put').stdout);
  assert.notEqual(b.Records[0].responseElements['x-amz-request-id'], event.Records[0].responseElements['x-amz-request-id']);
});

test('usage errors exit 2 with one message on stderr and nothing on stdout', () => {
  const cases: [string[], RegExp][] = [
    [['event'], /^lambda-workbench: missing subcommand\nusage: /],
    [['event', 'frob'], /^lambda-workbench: unknown event subcommand 'frob' \(list, generate\)/],
    [['event', 'generate'], /^lambda-workbench: event generate takes one template name\n/],
    [['event', 'generate', 'nope'], /^lambda-workbench: unknown event template 'nope' \(templates: s3-put, s3-delete, kinesis, .*function-url\)\n$/],
    [
      ['event', 'generate', 'sqs', '--param', 'bucket=x'],
      /^lambda-workbench: template 'sqs' has no parameter 'bucket' \(parameters of sqs: queue, body, region, accountId\)\n$/,
    ],
    [['event', 'generate', 'sqs', '--param', 'novalue'], /^lambda-workbench: --param takes KEY=VALUE, got 'novalue'\n$/],
    [['event', 'generate', 'sqs', '--bogus'], /^lambda-workbench: Unknown option '--bogus'/],
    [['event', 'list', 'extra'], /^lambda-workbench: event list takes no arguments, got 'extra'/],
  ];
  for (const [args, pattern] of cases) {
    const r = cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '', args.join(' '));
    assert.match(r.stderr, pattern, args.join(' '));
  }
});

test('invoke --event accepts a template name or the JSON itself; an existing file of that name wins; anything else is a usage error', () => {
  const fixture = join(ROOT, 'test', 'fixtures', 'http-project', 'src');
  const run = (cwd: string, eventArg: string) =>
    spawnSync(process.execPath, [CLI, 'invoke', 'echo.handler', '--root', fixture, '--event', eventArg], { cwd, encoding: 'utf8', timeout: 60_000 });
  const viaTemplate = run(ROOT, 'sqs');
  assert.equal(viaTemplate.status, 0, viaTemplate.stderr);
  const event = JSON.parse(JSON.parse(viaTemplate.stdout).body);
  assert.equal(event.Records[0].eventSource, 'aws:sqs');
  assert.equal(event.Records[0].body, 'Hello from SQS!');

  const dir = mkdtempSync(join(tmpdir(), 'lw-cli-event-'));
  try {
    writeFileSync(join(dir, 'sqs'), '{"fromFile": true}');
    const viaFile = run(dir, 'sqs');
    assert.equal(viaFile.status, 0, viaFile.stderr);
    assert.deepEqual(JSON.parse(JSON.parse(viaFile.stdout).body), { fromFile: true });
    const missing = run(dir, 'sqs-typo');
    assert.equal(missing.status, 2);
    assert.equal(missing.stdout, '');
    assert.equal(
      missing.stderr,
      "lambda-workbench: --event: event file 'sqs-typo' does not exist and is not a sample event template (give a JSON file, a template name from 'lambda-workbench event list', the JSON itself, or - for stdin)\n",
    );
    const inline = run(dir, '{"inline": [1, 2]}');
    assert.equal(inline.status, 0, inline.stderr);
    assert.deepEqual(JSON.parse(JSON.parse(inline.stdout).body), { inline: [1, 2] });
    const badInline = run(dir, '{"inline": ');
    assert.equal(badInline.status, 2);
    assert.match(badInline.stderr, /^lambda-workbench: --event: the inline event is not valid JSON \(/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
