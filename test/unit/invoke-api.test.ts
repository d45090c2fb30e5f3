// Pure parts of the Invoke API: function names as Lambda accepts them, and the Tail log window.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFunctionName, tailLog, TAIL_LOG_BYTES } from '../../runtime-host/server/invoke-api';

describe('invoke-api: function names', () => {
  it('accepts names, name:qualifier, partial and full ARNs', () => {
    assert.deepEqual(parseFunctionName('Hello'), { name: 'Hello' });
    assert.deepEqual(parseFunctionName('Hello:$LATEST'), { name: 'Hello', qualifier: '$LATEST' });
    assert.deepEqual(parseFunctionName('123456789012:function:Hello'), { name: 'Hello' });
    assert.deepEqual(parseFunctionName('123456789012:function:Hello:prod'), { name: 'Hello', qualifier: 'prod' });
    assert.deepEqual(parseFunctionName('arn:aws:lambda:us-east-1:123456789012:function:Hello'), { name: 'Hello' });
    assert.deepEqual(parseFunctionName('arn:aws:lambda:us-east-1:123456789012:function:Hello:7'), { name: 'Hello', qualifier: '7' });
  });
});

describe('invoke-api: Tail log', () => {
  it('is the whole log, newline-terminated, when under 4 KB', () => {
    assert.equal(Buffer.from(tailLog(['START', 'END']), 'base64').toString(), 'START\nEND\n');
  });
  it('is exactly the last 4096 bytes otherwise', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(40)}`);
    const text = lines.map((l) => `${l}\n`).join('');
    const tail = Buffer.from(tailLog(lines), 'base64');
    assert.equal(TAIL_LOG_BYTES, 4096);
    assert.equal(tail.length, 4096);
    assert.equal(tail.toString(), text.slice(text.length - 4096));
    assert.ok(tail.toString().endsWith(`line 199 ${'x'.repeat(40)}\n`));
  });
});
