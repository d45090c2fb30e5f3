// The one polling wait of the tests: the machine is shared and slow, so tests wait for a condition,
// never for a time. Fails naming what it waited for.

/** Polls `test` until it holds; throws `timed out waiting for <what>` after `timeoutMs` (generous by default). */
export async function waitUntil(test: () => boolean | Promise<boolean>, timeoutMs = 30_000, what = 'condition', intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
