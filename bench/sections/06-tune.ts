// The memory tuner on a CPU-bound handler at 128 / 512 / 1,769 MB: duration p50 at each size and the
// ratios between them. With CPU in proportion to memory (1,769 MB = one core) 128 → 1,769 MB should be
// about ×13.8; where every size gets the whole machine the ratios stay near 1.
import { join } from 'node:path';
import { functionFromHandler } from '../../runtime-host/functions/handler-function';
import { LambdaInvoker } from '../../runtime-host/runtime/invoker';
import { formatTuneTable } from '../../runtime-host/tuning/table';
import { tune } from '../../runtime-host/tuning/tuner';

const ROOT = join(__dirname, '../fixtures/cpu');
const SIZES = [128, 512, 1769];

export async function run(): Promise<void> {
  const fn = functionFromHandler({ handler: 'index.handler', root: ROOT, name: 'bench-cpu', timeout: 120 });
  const invoker = new LambdaInvoker();
  try {
    const result = await tune({ fn, event: { iterations: 150_000 }, memorySizesMB: SIZES, runs: 3, invoker, billingRule: 'per-ms-with-init' });
    process.stdout.write(formatTuneTable(result));
    const p50 = new Map(result.sizes.map((s) => [s.memorySizeMB, s.durationP50Ms]));
    const ratio = (a: number, b: number) => (p50.get(a)! / p50.get(b)!).toFixed(2);
    console.log(`duration ratio 128/512 MB: ${ratio(128, 512)}×  (CPU share ratio 4.00×)`);
    console.log(`duration ratio 512/1769 MB: ${ratio(512, 1769)}×  (CPU share ratio 3.46×)`);
    console.log(`duration ratio 128/1769 MB: ${ratio(128, 1769)}×  (CPU share ratio 13.82×)`);
  } finally {
    await invoker.shutdown();
  }
}
