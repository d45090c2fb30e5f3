// Go functions on a custom runtime (`provided.al2023`/`provided.al2` with `Metadata: BuildMethod:
// go1.x`, or a CodeUri that holds go.mod and no bootstrap of its own): the host builds the sources
// with the local Go toolchain into <stateDir>/go-build/<function>/bootstrap, as `sam build` would,
// whenever they are newer than that binary, then runs it as the function's bootstrap. Debug runs get
// their own build without optimisations or inlining (`-gcflags=all=-N -l`, what Delve needs to stop on
// every line and show every variable) in <stateDir>/go-build/<function>/debug/.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPath } from './launch-python';
import type { LaunchContext } from './launch-environment';
import { UserError, type FunctionConfig } from './types';

/** Whether the host builds this function from Go sources rather than running a bootstrap it finds. */
export function isGoFunction(fn: Pick<FunctionConfig, 'buildMethod' | 'codeUri'>): boolean {
  if (fn.buildMethod !== undefined) return fn.buildMethod === 'go1.x';
  return existsSync(join(fn.codeUri, 'go.mod')) && !existsSync(join(fn.codeUri, 'bootstrap'));
}

/** The `go` binary on the host's PATH, or a user error that says what to install. */
export function findGo(fn: Pick<FunctionConfig, 'name'>, hostEnv: NodeJS.ProcessEnv): string {
  const go = onPath('go', hostEnv.PATH);
  if (!go) {
    throw new UserError(
      `function '${fn.name}' is built from Go sources, and the Go toolchain (go) is not on PATH`,
      'install Go (on Debian: apt-get install golang-go) and make sure `go` is on PATH',
    );
  }
  return go;
}

const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.aws-sam', '.lambda-workbench']);

/** The newest modification time (ms) of the Go sources under `dir`: *.go, go.mod, go.sum, vendor/modules.txt. */
function newestSourceMs(dir: string, depth = 0): number {
  let newest = 0;
  if (depth > 20) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) newest = Math.max(newest, newestSourceMs(path, depth + 1));
    } else if (entry.isFile() && (entry.name.endsWith('.go') || entry.name === 'go.mod' || entry.name === 'go.sum' || entry.name === 'modules.txt')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

const GOARCH = { x86_64: 'amd64', arm64: 'arm64' } as const;
const building = new Map<string, Promise<string>>();

/** The flags of a debug build: no optimisations, no inlining, in every package. */
export const GO_DEBUG_GCFLAGS = 'all=-N -l';

/**
 * The function's bootstrap built from its Go sources: rebuilt when a source is newer than the
 * binary or the architecture changed; concurrent cold starts of one function share one build.
 * `debug`: the build for Delve, kept apart from the optimised one.
 */
export function goBootstrap(fn: FunctionConfig, context: Pick<LaunchContext, 'stateDir' | 'hostEnv'>, debug = false): Promise<string> {
  const root = join(context.stateDir ?? join(tmpdir(), 'lambda-workbench'), 'go-build');
  const outDir = debug ? join(root, fn.name, 'debug') : join(root, fn.name);
  const pending = building.get(outDir);
  if (pending) return pending;
  const job = buildIfStale(fn, outDir, join(root, '.gocache'), context.hostEnv ?? process.env, debug).finally(() => building.delete(outDir));
  building.set(outDir, job);
  return job;
}

async function buildIfStale(fn: FunctionConfig, outDir: string, gocache: string, hostEnv: NodeJS.ProcessEnv, debug: boolean): Promise<string> {
  const binary = join(outDir, 'bootstrap');
  const stampFile = join(outDir, 'build.json');
  const goarch = GOARCH[fn.architecture];
  const stamp = JSON.stringify({ goarch, codeUri: fn.codeUri, ...(debug ? { gcflags: GO_DEBUG_GCFLAGS } : {}) });
  let fresh = false;
  try {
    fresh = readFileSync(stampFile, 'utf8') === stamp && statSync(binary).mtimeMs >= newestSourceMs(fn.codeUri);
  } catch {
    // never built
  }
  refuseForeignArchitecture(fn, goarch);
  if (!fresh) await build(fn, outDir, gocache, hostEnv, stamp, debug);
  return binary;
}

/** A binary for another CPU runs only through qemu's binfmt handler; without it, say so rather than fail to exec. */
function refuseForeignArchitecture(fn: FunctionConfig, goarch: string): void {
  const hostArch = process.arch === 'x64' ? 'amd64' : process.arch;
  if (goarch === hostArch) return;
  const qemu = goarch === 'arm64' ? 'qemu-aarch64' : 'qemu-x86_64';
  if (existsSync(`/proc/sys/fs/binfmt_misc/${qemu}`)) return;
  throw new UserError(
    `function '${fn.name}' is built for ${fn.architecture}, and this machine (${hostArch}) cannot run ${goarch} programs`,
    `set Architectures: [${hostArch === 'amd64' ? 'x86_64' : 'arm64'}] to run it locally, or install qemu-user-static so Linux can run ${goarch} binaries`,
  );
}

async function build(fn: FunctionConfig, outDir: string, gocache: string, hostEnv: NodeJS.ProcessEnv, stamp: string, debug: boolean): Promise<void> {
  const binary = join(outDir, 'bootstrap');
  const goarch = GOARCH[fn.architecture];
  const go = findGo(fn, hostEnv);
  mkdirSync(outDir, { recursive: true });
  const partial = join(outDir, `bootstrap.${process.pid}.partial`);
  const env: NodeJS.ProcessEnv = { ...hostEnv, GOOS: 'linux', GOARCH: goarch, CGO_ENABLED: '0' };
  // Modules (aws-lambda-go) come from the user's module cache; -mod=mod lets go.sum be completed from it.
  // A vendor folder is used as it is (go's default when vendor/modules.txt exists).
  if (env.GOFLAGS === undefined && !existsSync(join(fn.codeUri, 'vendor', 'modules.txt'))) env.GOFLAGS = '-mod=mod';
  // Without a home folder go has no default build cache: keep one in the state folder (no function is named .gocache).
  if (!env.HOME && !env.GOCACHE && !env.XDG_CACHE_HOME) env.GOCACHE = gocache;
  await new Promise<void>((resolve, reject) => {
    const args = ['build', '-o', partial, '-tags', 'lambda.norpc', ...(debug ? [`-gcflags=${GO_DEBUG_GCFLAGS}`] : []), '.'];
    execFile(go, args, { cwd: fn.codeUri, env, maxBuffer: 8 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      reject(
        new UserError(
          `go build failed for function '${fn.name}' (in ${fn.codeUri}):\n${(stderr || err.message).trim()}`,
          'fix the errors above; modules (aws-lambda-go) must be in your Go module cache: run `go mod download` once where the network is reachable',
        ),
      );
    });
  });
  renameSync(partial, binary);
  writeFileSync(join(outDir, 'build.json'), stamp);
}
