// `npm run package -- --target linux-x64` → a .vsix under 4 MB that installs into the test VS Code
// (`--install-extension`) and works there: the installed copy (not the repository) activates with all its
// commands, and its bundled host runs a TypeScript handler with the esbuild-wasm the package carries.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { distDir, ensureVscode, extensionId, launchVscode, readManifest, repoRoot } from './harness';

function readManifestOf(dir: string): { version: string } {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
}

function filesUnder(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, base));
    else out.push(relative(base, p));
  }
  return out;
}

test('npm run package makes a .vsix that installs into VS Code and works there', { timeout: 10 * 60_000 }, async (t) => {
  const m = readManifest();
  const id = extensionId(m);
  // Outside the repository: nothing the installed extension loads can resolve back into it.
  const scratch = mkdtempSync(join(tmpdir(), 'lwb-vsix-'));
  const vsix = join(scratch, `${m.name}-${m.version}@linux-x64.vsix`);
  const extensionsDir = join(scratch, 'extensions');
  const installed = join(extensionsDir, `${id}-${m.version}`);
  try {
    await t.test('scripts/package.mjs packs a linux-x64 .vsix under 4 MB', () => {
      // Without its build (npm test has built dist/ already, and rebuilding would pull dist/ from under
      // tests running alongside), with the output in scratch.
      const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'package.mjs'), '--no-build', '--target', 'linux-x64', '--out', scratch], {
        cwd: repoRoot,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 8 * 60_000,
      });
      assert.equal(r.status, 0, `package failed:\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /@linux-x64\.vsix [\d.]+ MB/);
      const size = statSync(vsix).size;
      t.diagnostic(`linux-x64 .vsix: ${(size / 1024 / 1024).toFixed(2)} MB`);
      assert.ok(size < 4 * 1024 * 1024, `${size} bytes`);
    });

    await t.test('the VS Code server installs it with --install-extension', () => {
      const vscodeDir = ensureVscode();
      const r = spawnSync(
        process.execPath,
        [
          join(vscodeDir, 'out', 'server-main.js'),
          '--install-extension',
          vsix,
          '--extensions-dir',
          extensionsDir,
          '--user-data-dir',
          join(scratch, 'user-data'),
          '--server-data-dir',
          join(scratch, 'server-data'),
          '--accept-server-license-terms',
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5 * 60_000 },
      );
      assert.equal(r.status, 0, `install failed:\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /Extension '.*\.vsix' was successfully installed\./);
      assert.equal(lstatSync(installed).isDirectory(), true, 'a real folder, not a link to the repository');
    });

    await t.test('the package holds the bundles, manifest, readme, licence and esbuild-wasm, and nothing else', () => {
      // README pictures (docs/*.png) ride along so the extension's page in VS Code shows them.
      const pictures = existsSync(join(repoRoot, 'docs'))
        ? readdirSync(join(repoRoot, 'docs'))
            .filter((f) => f.endsWith('.png'))
            .sort()
        : [];
      assert.deepEqual(
        readdirSync(installed).sort(),
        ['.vsixmanifest', 'LICENSE.txt', 'dist', ...(pictures.length ? ['docs'] : []), 'node_modules', 'package.json', 'readme.md'].sort(),
      );
      if (pictures.length) assert.deepEqual(readdirSync(join(installed, 'docs')).sort(), pictures);
      assert.match(readFileSync(join(installed, '.vsixmanifest'), 'utf8'), /TargetPlatform="linux-x64"/);
      const got = new Set(filesUnder(join(installed, 'dist')));
      // Every built file except the test bundles, source maps and this machine's V8 code cache (runtime-host/launcher.ts):
      // a new dist/ file missing from the package shows here. Native prebuilds (LevelDB's, for DynamoDB) only for the target.
      const want = filesUnder(distDir).filter(
        (f) => !f.startsWith('test/') && !f.endsWith('.map') && !f.endsWith('.cache') && !/(^|\/)prebuilds\/(?!linux-x64\/)/.test(f),
      );
      assert.deepEqual(
        want.filter((f) => !got.has(f)),
        [],
        'dist files missing from the .vsix (see scripts/package.mjs)',
      );
      assert.deepEqual(
        [...got].filter((f) => f.startsWith('test/') || f.endsWith('.map') || f.endsWith('.cache')),
        [],
        'no test bundles, source maps or code cache in the .vsix',
      );
      assert.ok(got.has('snippets/javascript.json') && got.has('snippets/python.json'), 'the contributed snippets');
      assert.deepEqual(
        [...got].filter((f) => f.includes('/prebuilds/') && !f.includes('/prebuilds/linux-x64/')),
        [],
        "no other platform's native prebuilds",
      );
      // One compiler for every platform, its wasm compressed; no native esbuild (10 MB a platform).
      assert.deepEqual(readdirSync(join(installed, 'node_modules')).sort(), ['esbuild-wasm']);
      assert.deepEqual(filesUnder(join(installed, 'node_modules', 'esbuild-wasm')).sort(), [
        'LICENSE.md',
        'bin/esbuild',
        'esbuild.wasm.br',
        'lib/main.js',
        'package.json',
        'wasm_exec.js',
        'wasm_exec_node.js',
      ]);
    });

    await t.test('the installed host runs a TypeScript handler in 128 MB with the packaged esbuild-wasm, unpacked into the cache', () => {
      const project = join(scratch, 'project');
      mkdirSync(project, { recursive: true });
      mkdirSync(join(scratch, 'tmp'), { recursive: true });
      writeFileSync(
        join(project, 'app.ts'),
        'export const handler = async (event: { n: number }): Promise<{ doubled: number }> => ({ doubled: event.n * 2 });\n',
      );
      writeFileSync(join(project, 'event.json'), '{"n":21}\n');
      const r = spawnSync(
        process.execPath,
        [join(installed, 'dist', 'cli.js'), 'invoke', 'app.handler', '--root', project, '--event', join(project, 'event.json'), '--memory', '128', '--json'],
        {
          cwd: project,
          encoding: 'utf8',
          timeout: 2 * 60_000,
          env: { ...process.env, XDG_CACHE_HOME: join(scratch, 'cache'), TMPDIR: join(scratch, 'tmp') },
        },
      );
      assert.equal(r.status, 0, `invoke failed:\n${r.stdout}\n${r.stderr}`);
      const out = JSON.parse(r.stdout) as { result?: unknown; report?: { status?: string; maxMemoryUsedMB?: number } };
      assert.deepEqual(out.result, { doubled: 42 });
      assert.equal(out.report?.status, 'success');
      const unpacked = join(scratch, 'cache', 'lambda-workbench', `esbuild-wasm-${readManifestOf(join(installed, 'node_modules', 'esbuild-wasm')).version}`);
      assert.ok(statSync(join(unpacked, 'esbuild.wasm')).size > 5_000_000, 'the wasm was unpacked into the cache');
    });

    await t.test('in the workbench, the installed copy activates and registers every contributed command', async () => {
      assert.ok(existsSync(installed), 'installed by the step above');
      const vs = await launchVscode({ name: 'vsix', extension: { extensionsDir }, runner: { suites: false, activate: [id] } });
      try {
        const r = await vs.waitForResults(5 * 60_000);
        assert.equal(r.error, undefined);
        const ours = r.extensions.find((e) => e.id === id);
        assert.ok(ours?.found, `${id} not found`);
        assert.equal(ours.extensionPath, installed);
        assert.equal(ours.version, m.version);
        assert.equal(ours.activationError, undefined);
        assert.equal(ours.isActive, true);
        assert.ok((ours.contributedCommands ?? 0) > 0, 'the manifest contributes commands');
        assert.deepEqual(ours.missingCommands, []);
        // Its activity-bar container renders, with the icon from the package.
        await vs.workbench!.page.locator('.activitybar .action-item a[aria-label^="Lambda Workbench"]').first().waitFor({ state: 'visible', timeout: 60_000 });
        await vs.workbench!.screenshot('installed');
      } finally {
        await vs.close();
      }
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
