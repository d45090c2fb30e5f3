// Preloaded (`node --require`) into every Node execution environment, before the runtime starts.
// Node writes to a pipe asynchronously once the pipe is full, so a function's last log lines could
// still sit in the process when its runtime posts the response — and the host would print END before
// them. Blocking stdio makes every write reach the pipe before the response is sent, as Lambda's
// logs guarantee. (It is a no-op for TTYs and files, which are already synchronous.)
import { watchParent } from './parent-watch';

for (const stream of [process.stdout, process.stderr]) {
  const handle = (stream as unknown as { _handle?: { setBlocking?: (blocking: boolean) => number } })._handle;
  handle?.setBlocking?.(true);
}

// And when the host dies, the environment goes with it.
watchParent();
