// `npm run bench`: runs every bench/sections/*.ts in name order; each prints its own lines.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

interface Section {
  run(): Promise<void>;
}

async function main(): Promise<void> {
  const dir = join(__dirname, 'sections');
  const only = process.argv.slice(2);
  const files = readdirSync(dir)
    .filter((f) => /\.ts$/.test(f))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort();
  console.log(`bench: node ${process.version}, ${new Date().toISOString()}`);
  for (const file of files) {
    console.log(`\n== ${file.replace(/\.ts$/, '')}`);
    const section = (await import(join(dir, file))) as Section;
    await section.run();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
