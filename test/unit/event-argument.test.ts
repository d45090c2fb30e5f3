// `--event`: a file, a sample-event template, or the JSON itself, with a usage error (never a stack) for bad input.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { UsageError } from '../../runtime-host/commands/args';
import { loadEvent } from '../../runtime-host/commands/event-argument';

describe('--event argument', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-event-arg-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('absent: {} as the console sends', async () => {
    assert.deepEqual(await loadEvent(undefined, dir), {});
  });

  test('a JSON file, relative to the working folder', async () => {
    writeFileSync(join(dir, 'e.json'), '{"from":"file"}');
    assert.deepEqual(await loadEvent('e.json', dir), { from: 'file' });
  });

  test('the JSON itself: an object, an array, with spaces before it, longer than a file name may be, with a slash', async () => {
    assert.deepEqual(await loadEvent('{"a":1}', dir), { a: 1 });
    assert.deepEqual(await loadEvent(' [1, 2]', dir), [1, 2]);
    const long = { body: 'x'.repeat(5000) };
    assert.deepEqual(await loadEvent(JSON.stringify(long), dir), long);
    writeFileSync(join(dir, 'plain'), 'not a folder');
    assert.deepEqual(await loadEvent('{"path":"/plain/x"}', dir), { path: '/plain/x' });
  });

  test('a file of that name wins over inline JSON', async () => {
    writeFileSync(join(dir, '{"a":1}'), '{"from":"the file"}');
    assert.deepEqual(await loadEvent('{"a":1}', dir), { from: 'the file' });
  });

  test('a sample-event template name', async () => {
    const event = (await loadEvent('s3-put', dir)) as { Records: unknown[] };
    assert.equal(event.Records.length, 1);
  });

  test('inline JSON that does not parse: a usage error that says so', async () => {
    await assert.rejects(loadEvent('{bad', dir), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.message, /^--event: the inline event is not valid JSON \(/);
      return true;
    });
  });

  test('neither a file, a template nor JSON: a usage error naming what it accepts', async () => {
    await assert.rejects(loadEvent('missing.json', dir), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.message, /event file 'missing\.json' does not exist .*the JSON itself/);
      return true;
    });
  });
});
