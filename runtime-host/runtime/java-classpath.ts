// Where a Java function's compiled code is, as a class path: a Maven build (target/classes and
// target/dependency/*.jar, or the jar in target/), a Gradle build (build/classes/java/main, build/resources/main,
// build/libs/*.jar), a jar given as CodeUri, or a folder laid out as Lambda unpacks a zip (classes at the root,
// lib/*.jar). The host never builds Java code: when the classes are missing, or older than the sources under
// src/main, it refuses and says how to build (lambda-behaviour §10).
import { readdirSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { UserError, type FunctionConfig } from './types';

export type JavaBuildTool = 'maven' | 'gradle';

export interface JavaCode {
  /** Class folders and jars, in class-path order (the function's own first, then its layers' java/lib jars). */
  classpath: string[];
  /** The folder the function runs in (LAMBDA_TASK_ROOT): the code folder, or the folder of a jar given as CodeUri. */
  taskRoot: string;
}

function stat(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

const isDir = (path: string) => stat(path)?.isDirectory() === true;
const isFile = (path: string) => stat(path)?.isFile() === true;

/** The jars directly in `dir`, sorted by name (Lambda's class loader sorts them the same way). */
function jarsIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith('.jar') && n.length > 4)
      .sort()
      .map((n) => join(dir, n))
      .filter(isFile);
  } catch {
    return [];
  }
}

/** What `mvn package` / `gradle build` leave next to the application jar and are not it. */
function packagedJars(dir: string): string[] {
  return jarsIn(dir).filter((j) => !/(-sources|-javadoc|-tests|-test-sources|-plain)\.jar$/.test(j) && !basename(j).startsWith('original-'));
}

export function javaBuildTool(dir: string): JavaBuildTool | undefined {
  if (isFile(join(dir, 'pom.xml'))) return 'maven';
  if (isFile(join(dir, 'build.gradle')) || isFile(join(dir, 'build.gradle.kts'))) return 'gradle';
  return undefined;
}

function buildCommand(tool: JavaBuildTool | undefined): string {
  if (tool === 'gradle') return 'gradle build';
  if (tool === 'maven') return 'mvn package';
  return 'mvn package (Maven) or gradle build (Gradle)';
}

/** The newest file under `dir` (skipping hidden folders; only class files when asked), or undefined when there is none. */
function newestFile(dir: string, classFilesOnly = false, depth = 0): { path: string; mtimeMs: number } | undefined {
  let newest: { path: string; mtimeMs: number } | undefined;
  if (depth > 30) return newest;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return newest;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    let candidate: { path: string; mtimeMs: number } | undefined;
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.')) candidate = newestFile(path, classFilesOnly, depth + 1);
    } else if (entry.isFile() && (!classFilesOnly || entry.name.endsWith('.class'))) {
      const s = stat(path);
      if (s) candidate = { path, mtimeMs: s.mtimeMs };
    }
    if (candidate && (!newest || candidate.mtimeMs > newest.mtimeMs)) newest = candidate;
  }
  return newest;
}

/** True when any class file sits in `dir` or its subfolders (a few levels down: packages). */
function hasClassFiles(dir: string, depth = 0): boolean {
  if (depth > 12) return false;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const entry of entries) {
    if (entry.isFile() && entry.name.endsWith('.class')) return true;
  }
  for (const entry of entries) {
    if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'lib' && hasClassFiles(join(dir, entry.name), depth + 1)) return true;
  }
  return false;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

/**
 * Refuses outputs older than the project's sources (src/main/**: code and resources). The newest output file
 * must be at least as new as the newest source: a build writes its outputs after reading its sources.
 */
function refuseStale(
  fn: Pick<FunctionConfig, 'name'>,
  project: string,
  tool: JavaBuildTool | undefined,
  outputs: string[],
  classFilesOnly = false,
  command = buildCommand(tool),
): void {
  const source = newestFile(join(project, 'src', 'main'));
  if (!source) return;
  let output: { path: string; mtimeMs: number } | undefined;
  for (const o of outputs) {
    const s = stat(o);
    const candidate = s?.isDirectory() ? newestFile(o, classFilesOnly) : s ? { path: o, mtimeMs: s.mtimeMs } : undefined;
    if (candidate && (!output || candidate.mtimeMs > output.mtimeMs)) output = candidate;
  }
  if (output && output.mtimeMs >= source.mtimeMs) return;
  const shown = outputs.map((o) => relative(project, o) || o).join(', ');
  throw new UserError(
    `function '${fn.name}': the compiled code (${shown}) is older than its sources: ${relative(project, source.path)} changed ${ago(source.mtimeMs)}; Lambda Workbench runs compiled classes and never runs stale ones`,
    `rebuild it: ${command} in ${project}`,
  );
}

function notBuilt(fn: Pick<FunctionConfig, 'name'>, dir: string, tool: JavaBuildTool | undefined, looked: string): UserError {
  const deps = tool === 'maven' ? ' (with its dependencies: mvn package dependency:copy-dependencies -DincludeScope=runtime)' : '';
  return new UserError(
    `function '${fn.name}' has no compiled Java classes in ${dir} (looked for ${looked}); Lambda Workbench runs compiled classes and does not build Java functions itself`,
    `build it first: ${buildCommand(tool)}${deps}`,
  );
}

/** A layer's jars: Lambda puts each layer's java/lib on the class path (/opt/java/lib), a later layer first. */
function layerJars(fn: Pick<FunctionConfig, 'layers'>): string[] {
  return [...(fn.layers ?? [])].reverse().flatMap((l) => jarsIn(join(l, 'java', 'lib')));
}

/** The project (a folder with pom.xml or build.gradle) a built jar belongs to, a few folders up. */
function projectAbove(file: string): { root: string; tool: JavaBuildTool } | undefined {
  let dir = dirname(file);
  for (let i = 0; i < 4; i++) {
    const tool = javaBuildTool(dir);
    if (tool) return { root: dir, tool };
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

export function javaClasspath(fn: Pick<FunctionConfig, 'name' | 'codeUri' | 'layers'>): JavaCode {
  const code = fn.codeUri;
  const s = stat(code);
  if (!s) throw new UserError(`the code of function '${fn.name}' (${code}) does not exist`, 'point CodeUri at the project folder or at the built jar');
  const layers = layerJars(fn);

  if (s.isFile()) {
    if (!/\.(jar|zip)$/i.test(code)) {
      throw new UserError(
        `the code of function '${fn.name}' (${code}) is neither a folder nor a jar`,
        'point CodeUri at the project folder or at the built jar',
      );
    }
    const project = projectAbove(code);
    if (project) refuseStale(fn, project.root, project.tool, [code]);
    return { classpath: [code, ...layers], taskRoot: dirname(code) };
  }

  const tool = javaBuildTool(code);
  if (tool === 'maven') {
    const classes = join(code, 'target', 'classes');
    const dependencies = jarsIn(join(code, 'target', 'dependency'));
    if (isDir(classes)) {
      refuseStale(fn, code, tool, [classes]);
      return { classpath: [classes, ...dependencies, ...layers], taskRoot: code };
    }
    const built = packagedJars(join(code, 'target'));
    if (built.length > 0) {
      refuseStale(fn, code, tool, built);
      return { classpath: [...built, ...dependencies, ...layers], taskRoot: code };
    }
    throw notBuilt(fn, code, tool, 'target/classes and a jar in target/');
  }
  if (tool === 'gradle') {
    const classes = join(code, 'build', 'classes', 'java', 'main');
    const resources = join(code, 'build', 'resources', 'main');
    const libs = packagedJars(join(code, 'build', 'libs'));
    const dependencies = jarsIn(join(code, 'build', 'dependency'));
    if (isDir(classes)) {
      const folders = [classes, ...(isDir(resources) ? [resources] : [])];
      refuseStale(fn, code, tool, folders);
      return { classpath: [...folders, ...libs, ...dependencies, ...layers], taskRoot: code };
    }
    if (libs.length > 0) {
      refuseStale(fn, code, tool, libs);
      return { classpath: [...libs, ...dependencies, ...layers], taskRoot: code };
    }
    throw notBuilt(fn, code, tool, 'build/classes/java/main and a jar in build/libs/');
  }
  // A folder as Lambda unpacks a deployment package (`sam build` output): classes at the root, jars in lib/.
  if (hasClassFiles(code)) {
    // Built from a project around it (target/classes, .aws-sam/build/<function>): its sources must not be newer.
    const project = isDir(join(code, 'src', 'main')) ? { root: code, tool: undefined } : projectAbove(join(code, '.'));
    if (project) {
      const samBuilt = code.split(sep).includes('.aws-sam');
      refuseStale(fn, project.root, project.tool, [code], true, samBuilt ? 'sam build' : buildCommand(project.tool));
    }
    return { classpath: [code, ...jarsIn(join(code, 'lib')), ...layers], taskRoot: code };
  }
  const jars = packagedJars(code);
  if (jars.length > 0) return { classpath: [...jars, ...jarsIn(join(code, 'lib')), ...layers], taskRoot: code };
  throw notBuilt(fn, code, undefined, 'a pom.xml or build.gradle, class files, or a jar');
}
