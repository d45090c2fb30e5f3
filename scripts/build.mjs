#!/usr/bin/env node
// One build for the three parts: `node scripts/build.mjs [--watch] [--quiet]`.
// Entries whose source does not exist (yet) are skipped so each part can grow on its own.
import * as esbuild from 'esbuild';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const watch = process.argv.includes('--watch');

const node = { platform: 'node', target: 'node20', format: 'cjs', bundle: true, sourcemap: 'linked' };

/** @type {Array<{name: string, options: import('esbuild').BuildOptions}>} */
const ENTRIES = [
  {
    name: 'cli',
    options: {
      ...node,
      entryPoints: ['runtime-host/cli.ts'],
      outfile: 'dist/cli-bundle.js',
      external: ['esbuild', 'esbuild-wasm'],
      charset: 'ascii',
      plugins: [asciiOutput()],
    },
  },
  // What `lambda-workbench` runs: the bundle above through a V8 code cache (runtime-host/launcher.ts).
  {
    name: 'cli-launcher',
    options: { ...node, sourcemap: false, entryPoints: ['runtime-host/launcher.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  },
  // The bootstrap runs inside every Node execution environment: no dependencies, no source map noise in user stacks.
  {
    name: 'node-bootstrap',
    options: { ...node, sourcemap: false, entryPoints: ['runtime-host/runtime/node-bootstrap/index.ts'], outfile: 'dist/runtime/node-bootstrap.js' },
  },
  // Loader hooks the bootstrap registers (module.register) only when a handler is ESM TypeScript.
  {
    name: 'node-bootstrap-ts-hooks',
    options: {
      ...node,
      format: 'esm',
      sourcemap: false,
      entryPoints: ['runtime-host/runtime/node-bootstrap/ts-esm-hooks.ts'],
      outfile: 'dist/runtime/node-bootstrap-ts-hooks.mjs',
    },
  },
  // Preloaded into every Node environment: blocking stdio so log lines are in the pipe before the response is posted.
  {
    name: 'node-stdio-preload',
    options: { ...node, sourcemap: false, entryPoints: ['runtime-host/runtime/stdio-preload.ts'], outfile: 'dist/runtime/stdio-preload.js' },
  },
  // The watchdog that kills a dead host's environments (runtime/sandbox/watchdog-client.ts).
  {
    name: 'sandbox-watchdog',
    options: { ...node, sourcemap: false, entryPoints: ['runtime-host/runtime/sandbox/watchdog.ts'], outfile: 'dist/runtime/sandbox-watchdog.js' },
  },
  // The DynamoDB engine (events/dynamodb/engine-main.ts): dynalite and level bundled; LevelDB's native binding is
  // loaded from dist/runtime/classic-level/prebuilds (copied below), so dist/ needs nothing from node_modules.
  {
    name: 'dynamodb-engine',
    options: {
      ...node,
      sourcemap: false,
      entryPoints: ['runtime-host/events/dynamodb/engine-main.ts'],
      outfile: 'dist/runtime/dynamodb-engine.js',
      plugins: [dynamoDbEngineBundle()],
    },
  },
  { name: 'extension', options: { ...node, entryPoints: ['extension/main.ts'], outfile: 'dist/extension.js', external: ['vscode'] } },
  {
    name: 'webview',
    options: {
      platform: 'browser',
      target: 'es2022',
      format: 'iife',
      bundle: true,
      sourcemap: 'linked',
      entryPoints: ['webview-ui/main.ts'],
      outfile: 'dist/webview/panel.js',
      loader: { '.css': 'css' },
    },
  },
  { name: 'webview-css', options: { bundle: true, entryPoints: ['webview-ui/panel.css'], outfile: 'dist/webview/panel.css' } },
  {
    name: 'vscode-test-runner',
    options: { ...node, entryPoints: ['test/vscode/runner/extension.ts'], outfile: 'dist/test/vscode-runner/extension.js', external: ['vscode', 'mocha'] },
  },
  // The mocha suites the runner loads inside the extension host: one bundle per *.test.ts, mocha's globals (describe/it).
  // test/vscode/suite/ → dist/test/vscode-suite/; a suite folder for another workspace, test/vscode/suite-<name>/ → dist/test/vscode-suite-<name>/.
  ...(existsSync(join(root, 'test/vscode')) ? readdirSync(join(root, 'test/vscode')) : [])
    .filter((d) => /^suite(-[a-z0-9-]+)?$/.test(d))
    .sort()
    .flatMap((d) => {
      const dir = `test/vscode/${d}`;
      const files = readdirSync(join(root, dir))
        .filter((f) => f.endsWith('.test.ts'))
        .sort()
        .map((f) => `${dir}/${f}`);
      const name = d === 'suite' ? 'vscode-test-suites' : `vscode-test-${d}`;
      return files.length ? [{ name, options: { ...node, entryPoints: files, outdir: `dist/test/vscode-${d}`, external: ['vscode', 'mocha'] } }] : [];
    }),
];

/**
 * With `charset: 'ascii'` esbuild escapes every non-ASCII character of strings, regular expressions and identifiers
 * but keeps comments as they are, and one `—` in a comment makes V8 hold the whole source as a two-byte string:
 * twice the memory, and a slower read at every start. Such characters left in comments become `?`, one per UTF-16
 * unit, so every line and column (and the source map) stays where it was.
 */
function asciiOutput() {
  return {
    name: 'ascii-output',
    setup(build) {
      build.onEnd(async (result) => {
        if (result.errors.length) return;
        const file = join(root, build.initialOptions.outfile);
        const text = await readFile(file, 'utf8');
        // eslint-disable-next-line no-control-regex
        const nonAscii = /[^\x00-\x7f]/g;
        if (nonAscii.test(text)) await writeFile(file, text.replace(nonAscii, '?'));
      });
    },
  };
}

/**
 * classic-level finds its binding beside its own files; bundled, it looks in dist/runtime/classic-level instead.
 * dynalite requires its actions by a computed name without extension, which esbuild's glob only matches with one.
 */
function dynamoDbEngineBundle() {
  return {
    name: 'dynamodb-engine-bundle',
    setup(build) {
      build.onLoad({ filter: /[\\/]dynalite[\\/]index\.js$/ }, async (args) => ({
        contents: (await readFile(args.path, 'utf8')).replace(/require\('\.\/(actions|validations)\/' \+ action\)/g, "require('./$1/' + action + '.js')"),
        loader: 'js',
      }));
      build.onLoad({ filter: /[\\/]classic-level[\\/]binding\.js$/ }, () => ({
        contents: "module.exports = require('node-gyp-build')(require('node:path').join(__dirname, 'classic-level'))",
        resolveDir: join(root, 'node_modules', 'classic-level'),
        loader: 'js',
      }));
    },
  };
}

/** Plain files copied as they are: [source, destination]. */
const COPIES = [
  ['runtime-host/runtime/python-bootstrap', 'dist/runtime/python-bootstrap'],
  ['runtime-host/runtime/ruby-bootstrap', 'dist/runtime/ruby-bootstrap'],
  // Java sources: compiled by the user's JDK the first time a Java function runs (runtime/java-toolchain.ts).
  ['runtime-host/runtime/java-bootstrap', 'dist/runtime/java-bootstrap'],
  ['node_modules/@vscode/codicons/dist/codicon.css', 'dist/webview/codicons/codicon.css'],
  ['node_modules/@vscode/codicons/dist/codicon.ttf', 'dist/webview/codicons/codicon.ttf'],
  ['extension/media', 'dist/media'],
  ['node_modules/classic-level/prebuilds', 'dist/runtime/classic-level/prebuilds'],
  ['extension/snippets', 'dist/snippets'],
];

async function main() {
  const started = Date.now();
  // dist/ is not wiped first: tests and running hosts may be using it while a rebuild happens.
  const built = [];
  for (const { name, options } of ENTRIES) {
    const entry = options.entryPoints[0];
    if (!existsSync(join(root, entry))) continue;
    const opts = { ...options, absWorkingDir: root, logLevel: quiet ? 'error' : 'warning' };
    if (watch) {
      const ctx = await esbuild.context(opts);
      await ctx.watch();
    } else {
      await esbuild.build(opts);
    }
    built.push(name);
  }
  for (const [from, to] of COPIES) {
    if (!existsSync(join(root, from))) continue;
    mkdirSync(dirname(join(root, to)), { recursive: true });
    cpSync(join(root, from), join(root, to), { recursive: true });
  }
  if (existsSync(join(root, 'dist/cli.js'))) chmodSync(join(root, 'dist/cli.js'), 0o755);
  if (!quiet) console.error(`built ${built.join(', ')} in ${Date.now() - started} ms${watch ? ' (watching)' : ''}`);
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exit(1);
});
