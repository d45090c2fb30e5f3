// The JDK a Java function runs on, and our Java runtime (java-bootstrap/, JDK-only sources that ship as they
// are) compiled by that JDK's javac once into a cache folder named after the sources' hash. Nothing Java is
// needed until a Java function runs.
import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { distAsset } from './assets';
import type { LaunchContext } from './launch-environment';
import { onPath } from './launch-python';
import { UserError } from './types';

export interface Jdk {
  home: string;
  java: string;
  javac: string;
  /** `17.0.15`, `21`, `11.0.22`. */
  version: string;
  major: number;
}

const INSTALL_HINT = 'install a JDK (on Debian: apt-get install openjdk-17-jdk-headless), or point the javaHome setting or JAVA_HOME at one';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const versions = new Map<string, { version: string; major: number } | null>();

/** A JDK's version, from its `release` file (every JDK 9+ has one), else from `java -version`. */
function versionOf(home: string, java: string): { version: string; major: number } | null {
  let found = versions.get(home);
  if (found !== undefined) return found;
  let version: string | undefined;
  try {
    version = /^JAVA_VERSION="([^"]+)"/m.exec(readFileSync(join(home, 'release'), 'utf8'))?.[1];
  } catch {
    const r = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 15_000 });
    version = /version "([^"]+)"/.exec(`${r.stderr ?? ''}${r.stdout ?? ''}`)?.[1];
  }
  found = null;
  if (version) {
    // `1.8.0_402` is Java 8; from 9 on the first number is the feature release.
    const parts = version.split(/[._+-]/).map((p) => Number(p));
    const major = parts[0] === 1 ? (parts[1] ?? 0) : (parts[0] ?? 0);
    if (Number.isFinite(major) && major > 0) found = { version, major };
  }
  versions.set(home, found);
  return found;
}

/**
 * The JDK for a Java function: the javaHome setting, then JAVA_HOME, then the JDK whose `javac` is on PATH.
 * Both `java` and `javac` are needed (javac compiles our runtime once). Refused in debug mode (no JDWP wiring yet).
 */
export function findJdk(context: Pick<LaunchContext, 'javaHome' | 'hostEnv' | 'debugPort'>, runtime: string): Jdk {
  if (context.debugPort !== undefined) {
    throw new UserError(`breakpoints in ${runtime} functions are not supported yet`, 'invoke the function without debugging');
  }
  const env = context.hostEnv ?? process.env;
  const looked: string[] = [];
  const homes: string[] = [];
  if (context.javaHome) {
    looked.push(`the javaHome setting (${context.javaHome})`);
    homes.push(context.javaHome);
  }
  if (env.JAVA_HOME) {
    looked.push(`JAVA_HOME (${env.JAVA_HOME})`);
    homes.push(env.JAVA_HOME);
  }
  looked.push('javac on PATH');
  const javacOnPath = onPath('javac', env.PATH);
  if (javacOnPath) {
    try {
      homes.push(dirname(dirname(realpathSync(javacOnPath))));
    } catch {
      // a dangling link: nothing there
    }
  }
  let jreOnly: string | undefined;
  for (const home of homes) {
    const java = join(home, 'bin', 'java');
    const javac = join(home, 'bin', 'javac');
    if (!executable(java)) continue;
    if (!executable(javac)) {
      jreOnly ??= home;
      continue;
    }
    const v = versionOf(home, java);
    if (!v) continue;
    if (v.major < 11) {
      throw new UserError(
        `the JDK at ${home} is Java ${v.version}; Lambda Workbench's Java runtime needs Java 11 or later`,
        `install a newer JDK (on Debian: apt-get install openjdk-17-jdk-headless), or point the javaHome setting or JAVA_HOME at one`,
      );
    }
    return { home, java, javac, ...v };
  }
  if (jreOnly) {
    throw new UserError(
      `${jreOnly} is a Java runtime without javac; Lambda Workbench compiles its Java runtime once with the JDK's javac`,
      'install the full JDK (on Debian: apt-get install openjdk-17-jdk-headless), or point the javaHome setting or JAVA_HOME at one',
    );
  }
  throw new UserError(`no JDK found for ${runtime} (looked for ${looked.join(', ')})`, INSTALL_HINT);
}

/** The runtime's sources (dist/runtime/java-bootstrap/**\/*.java), sorted. */
function bootstrapSources(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.java')) out.push(path);
    }
  };
  walk(root);
  return out.sort();
}

let sourceHash: { root: string; files: string[]; hash: string } | undefined;

/** The sources and the hash that names their compiled copy (computed once per process). */
export function bootstrapSourceSet(): { root: string; files: string[]; hash: string } {
  if (!sourceHash) {
    const root = distAsset('runtime/java-bootstrap');
    const files = bootstrapSources(root);
    const h = createHash('sha256');
    for (const f of files) h.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
    sourceHash = { root, files, hash: h.digest('hex').slice(0, 16) };
  }
  return sourceHash;
}

/** `$XDG_CACHE_HOME/lambda-workbench/java-bootstrap` (default `~/.cache/…`), shared by every project on the machine. */
export function defaultJavaBootstrapCache(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env['XDG_CACHE_HOME'] || join(env['HOME'] || homedir(), '.cache');
  return join(cache, 'lambda-workbench', 'java-bootstrap');
}

const compiling = new Map<string, Promise<string>>();

/**
 * The folder of our runtime's compiled classes: `<cache>/<source hash>/classes`, compiled with `--release 11` (so
 * any JDK from 11 on runs it) the first time. Concurrent cold starts share one compile; a compile happens
 * in a private folder renamed into place, so two hosts never see half of one.
 */
export function javaBootstrapClasses(jdk: Jdk, context: Pick<LaunchContext, 'stateDir' | 'hostEnv'>): Promise<string> {
  const { root, files, hash } = bootstrapSourceSet();
  const env = context.hostEnv ?? process.env;
  const caches = [defaultJavaBootstrapCache(env), join(context.stateDir ?? join(tmpdir(), 'lambda-workbench'), 'java-bootstrap')];
  for (const cache of caches) {
    const classes = join(cache, hash, 'classes');
    if (existsSync(join(cache, hash, 'complete'))) return Promise.resolve(classes);
  }
  const key = `${caches[0]}\0${hash}`;
  const pending = compiling.get(key);
  if (pending) return pending;
  const job = compileInto(caches, hash, root, files, jdk, env).finally(() => compiling.delete(key));
  compiling.set(key, job);
  return job;
}

async function compileInto(caches: string[], hash: string, root: string, files: string[], jdk: Jdk, hostEnv: NodeJS.ProcessEnv): Promise<string> {
  let lastError: unknown;
  for (const cache of caches) {
    try {
      mkdirSync(cache, { recursive: true });
    } catch (err) {
      lastError = err;
      continue;
    }
    const target = join(cache, hash);
    const partial = join(cache, `${hash}.${process.pid}.${randomBytes(4).toString('hex')}.partial`);
    mkdirSync(join(partial, 'classes'), { recursive: true });
    // The user's global JVM options are for their programs, not for this compile.
    const env: NodeJS.ProcessEnv = { ...hostEnv };
    delete env.JAVA_TOOL_OPTIONS;
    delete env._JAVA_OPTIONS;
    delete env.JDK_JAVA_OPTIONS;
    const args = [
      // A short-lived compiler starts faster with the client compiler only and the serial collector.
      '-J-XX:TieredStopAtLevel=1',
      '-J-XX:+UseSerialGC',
      // String concatenation as plain StringBuilder code: the JDK's invokedynamic bootstrap for it costs tens
      // of milliseconds on first use, which would land in every cold invocation.
      '-XDstringConcat=inline',
      '--release',
      '11',
      '-encoding',
      'UTF-8',
      '-nowarn',
      '-d',
      join(partial, 'classes'),
      ...files,
    ];
    try {
      await new Promise<void>((resolve, reject) => {
        execFile(jdk.javac, args, { cwd: root, env, maxBuffer: 8 * 1024 * 1024, timeout: 300_000 }, (err, _stdout, stderr) => {
          if (!err) return resolve();
          reject(
            new UserError(
              `compiling Lambda Workbench's Java runtime with ${jdk.javac} (Java ${jdk.version}) failed:\n${(stderr || err.message).trim()}`,
              'check that this JDK works (javac -version), or point the javaHome setting or JAVA_HOME at another one',
            ),
          );
        });
      });
      writeFileSync(join(partial, 'complete'), `${jdk.version}\n`);
      try {
        renameSync(partial, target);
      } catch {
        // Another host finished first: its copy is the same.
        rmSync(partial, { recursive: true, force: true });
      }
      if (existsSync(join(target, 'complete'))) return join(target, 'classes');
    } catch (err) {
      rmSync(partial, { recursive: true, force: true });
      if (err instanceof UserError) throw err;
      lastError = err;
    }
  }
  throw new UserError(
    `cannot compile Lambda Workbench's Java runtime: no writable cache folder (${caches.join(', ')}): ${lastError instanceof Error ? lastError.message : String(lastError)}`,
    'make ~/.cache (or XDG_CACHE_HOME) writable',
  );
}
