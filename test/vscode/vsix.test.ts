// `npm run package` → a .vsix that installs into the test VS Code (`--install-extension`) and works
// there: the installed copy (not the repository) activates with all its commands, and its bundled host
// runs a TypeScript handler with the esbuild the package carries.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { distDir, ensureVscode, extensionId, launchVscode, readManifest, repoRoot } from './harness';

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
  const vsix = join(scratch, `${m.name}-${m.version}.vsix`);
  const extensionsDir = join(scratch, 'extensions');
  const installed = join(extensionsDir, `${id}-${m.version}`);
  try {
    await t.test('vsce packages the built extension', () => {
      // The same vsce invocation as `npm run package`, minus its build (npm test has built dist/ already,
      // and rebuilding would pull dist/ from under tests running alongside) and with the output in scratch.
      const r = spawnSync(
        join(repoRoot, 'node_modules', '.bin', 'vsce'),
        ['package', '--no-yarn', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', vsix],
        {
          cwd: repoRoot,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      assert.equal(r.status, 0, `vsce failed:\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /DONE\s+Packaged: .*\.vsix/);
      assert.ok(statSync(vsix).size > 0);
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

    await t.test('the package holds the bundles, manifest, readme, licence and esbuild, and nothing else', () => {
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
      const got = new Set(filesUnder(join(installed, 'dist')));
      // Every built file except the test bundles: a new dist/ folder missing from .vscodeignore shows here.
      const want = filesUnder(distDir).filter((f) => !f.startsWith('test/'));
      assert.deepEqual(
        want.filter((f) => !got.has(f)),
        [],
        'dist files missing from the .vsix (see .vscodeignore)',
      );
      assert.deepEqual(
        [...got].filter((f) => f.startsWith('test/')),
        [],
        'no test bundles in the .vsix',
      );
      assert.deepEqual(readdirSync(join(installed, 'node_modules')).sort(), ['@esbuild', 'esbuild']);
      assert.deepEqual(readdirSync(join(installed, 'node_modules', '@esbuild')), ['linux-x64']);
      const binary = statSync(join(installed, 'node_modules', '@esbuild', 'linux-x64', 'bin', 'esbuild'));
      assert.equal(binary.mode & 0o111, 0o111, 'esbuild stays executable');
    });

    await t.test('the installed host runs a TypeScript handler with the packaged esbuild', () => {
      const project = join(scratch, 'project');
      mkdirSync(project, { recursive: true });
      writeFileSync(
        join(project, 'app.ts'),
        'export const handler = async (event: { n: number }): Promise<{ doubled: number }> => ({ doubled: event.n * 2 });\n',
      );
      writeFileSync(join(project, 'event.json'), '{"n":21}\n');
      const r = spawnSync(
        process.execPath,
        [join(installed, 'dist', 'cli.js'), 'invoke', 'app.handler', '--root', project, '--event', join(project, 'event.json'), '--json'],
        {
          cwd: project,
          encoding: 'utf8',
          timeout: 2 * 60_000,
        },
      );
      assert.equal(r.status, 0, `invoke failed:\n${r.stdout}\n${r.stderr}`);
      const out = JSON.parse(r.stdout) as { result?: unknown; report?: { status?: string } };
      assert.deepEqual(out.result, { doubled: 42 });
      assert.equal(out.report?.status, 'success');
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
