// The Java runtime's launch decisions without a JVM: Lambda's JVM flags for a memory size, and where a
// function's compiled classes are (Maven, Gradle, a jar, a deployment-package folder) or why they cannot run.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { javaClasspath } from '../../runtime-host/runtime/java-classpath';
import { javaMemoryFlags } from '../../runtime-host/runtime/launch-java';
import { UserError } from '../../runtime-host/runtime/types';

describe("java: Lambda's JVM flags", () => {
  it('the heap is 85% of the memory size, or the memory size less 240 MB from 1,600 MB (values from Lambda command lines)', () => {
    const heap = (mb: number) => javaMemoryFlags('java17', mb)[0];
    assert.equal(heap(128), '-XX:MaxHeapSize=111412k');
    assert.equal(heap(256), '-XX:MaxHeapSize=222823k');
    assert.equal(heap(512), '-XX:MaxHeapSize=445645k');
    assert.equal(heap(2045), '-XX:MaxHeapSize=1848320k');
    assert.equal(heap(4093), '-XX:MaxHeapSize=3945472k');
    assert.equal(heap(8190), '-XX:MaxHeapSize=8140800k');
    assert.equal(heap(10238), '-XX:MaxHeapSize=10237952k');
  });

  it('java17 and later stop at the C1 compiler; java11 runs C2 only and caps metaspace and the code cache', () => {
    assert.deepEqual(javaMemoryFlags('java21', 512), [
      '-XX:MaxHeapSize=445645k',
      '-XX:+UseSerialGC',
      '-XX:+TieredCompilation',
      '-XX:TieredStopAtLevel=1',
      '--add-opens=java.base/java.io=ALL-UNNAMED',
      '-XX:+ErrorFileToStderr',
    ]);
    assert.deepEqual(javaMemoryFlags('java11', 512), [
      '-XX:MaxHeapSize=445645k',
      '-XX:MaxMetaspaceSize=52429k',
      '-XX:ReservedCodeCacheSize=26214k',
      '-XX:+UseSerialGC',
      '-XX:-TieredCompilation',
      '-Djava.net.preferIPv4Stack=true',
      '-XX:+ErrorFileToStderr',
    ]);
    assert.deepEqual(javaMemoryFlags('java11', 10237).slice(0, 3), [
      '-XX:MaxHeapSize=10236928k',
      '-XX:MaxMetaspaceSize=163840k',
      '-XX:ReservedCodeCacheSize=81920k',
    ]);
  });
});

describe('java: where the compiled classes are', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const project = (files: Record<string, string>, mtimes: Record<string, number> = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-java-cp-'));
    dirs.push(dir);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    for (const [path, seconds] of Object.entries(mtimes)) utimesSync(join(dir, path), seconds, seconds);
    return dir;
  };
  const fn = (codeUri: string, layers?: string[]) => ({ name: 'fn', codeUri, ...(layers ? { layers } : {}) });
  const T = 1_700_000_000;

  it('Maven: target/classes, then target/dependency jars by name, then the layers’ java/lib jars', () => {
    const dir = project(
      {
        'pom.xml': '<project/>',
        'src/main/java/a/H.java': 'class H {}',
        'target/classes/a/H.class': '',
        'target/dependency/b.jar': '',
        'target/dependency/a.jar': '',
        'layer/java/lib/l.jar': '',
      },
      { 'src/main/java/a/H.java': T, 'target/classes/a/H.class': T + 1 },
    );
    assert.deepEqual(javaClasspath(fn(dir, [join(dir, 'layer')])), {
      classpath: [join(dir, 'target/classes'), join(dir, 'target/dependency/a.jar'), join(dir, 'target/dependency/b.jar'), join(dir, 'layer/java/lib/l.jar')],
      taskRoot: dir,
    });
  });

  it('Maven without target/classes: the packaged jar (not its -sources or original- companions)', () => {
    const dir = project({ 'pom.xml': '<project/>', 'target/app-1.0.jar': '', 'target/app-1.0-sources.jar': '', 'target/original-app-1.0.jar': '' });
    assert.deepEqual(javaClasspath(fn(dir)).classpath, [join(dir, 'target/app-1.0.jar')]);
  });

  it('Gradle: build/classes/java/main and build/resources/main, then build/libs', () => {
    const dir = project({
      'build.gradle': '',
      'build/classes/java/main/a/H.class': '',
      'build/resources/main/app.properties': '',
      'build/libs/app-all.jar': '',
    });
    assert.deepEqual(javaClasspath(fn(dir)).classpath, [
      join(dir, 'build/classes/java/main'),
      join(dir, 'build/resources/main'),
      join(dir, 'build/libs/app-all.jar'),
    ]);
  });

  it('a jar as CodeUri runs from its folder; a deployment-package folder from its classes and lib/', () => {
    const dir = project({ 'pkg/a/H.class': '', 'pkg/lib/dep.jar': '', 'dist/app.jar': '' });
    assert.deepEqual(javaClasspath(fn(join(dir, 'dist/app.jar'))), { classpath: [join(dir, 'dist/app.jar')], taskRoot: join(dir, 'dist') });
    assert.deepEqual(javaClasspath(fn(join(dir, 'pkg'))).classpath, [join(dir, 'pkg'), join(dir, 'pkg/lib/dep.jar')]);
  });

  it('no compiled classes: a user error that says how to build', () => {
    const dir = project({ 'pom.xml': '<project/>', 'src/main/java/a/H.java': 'class H {}' });
    assert.throws(
      () => javaClasspath(fn(dir)),
      (err: unknown) =>
        err instanceof UserError &&
        err.message ===
          `function 'fn' has no compiled Java classes in ${dir} (looked for target/classes and a jar in target/); Lambda Workbench runs compiled classes and does not build Java functions itself` &&
        err.hint === 'build it first: mvn package (with its dependencies: mvn package dependency:copy-dependencies -DincludeScope=runtime)',
    );
  });

  it('CodeUri at the build output itself (target/classes, sam build output) is checked against the project around it', () => {
    const dir = project(
      { 'pom.xml': '<project/>', 'src/main/java/a/H.java': '', 'target/classes/a/H.class': '', '.aws-sam/build/Fn/a/H.class': '' },
      { 'target/classes/a/H.class': T, '.aws-sam/build/Fn/a/H.class': T, 'src/main/java/a/H.java': T + 60 },
    );
    assert.throws(
      () => javaClasspath(fn(join(dir, 'target/classes'))),
      (err: unknown) =>
        err instanceof UserError && err.message.includes('(target/classes) is older than its sources') && err.hint === `rebuild it: mvn package in ${dir}`,
    );
    assert.throws(
      () => javaClasspath(fn(join(dir, '.aws-sam/build/Fn'))),
      (err: unknown) => err instanceof UserError && err.hint === `rebuild it: sam build in ${dir}`,
    );
    utimesSync(join(dir, 'target/classes/a/H.class'), T + 61, T + 61);
    assert.deepEqual(javaClasspath(fn(join(dir, 'target/classes'))).classpath, [join(dir, 'target/classes')]);
  });

  it('classes older than a source (code or resource) are refused, naming the source and the build command', () => {
    const dir = project(
      { 'build.gradle.kts': '', 'src/main/resources/app.properties': '', 'build/classes/java/main/a/H.class': '', 'build/resources/main/app.properties': '' },
      { 'build/classes/java/main/a/H.class': T, 'build/resources/main/app.properties': T, 'src/main/resources/app.properties': T + 60 },
    );
    assert.throws(
      () => javaClasspath(fn(dir)),
      (err: unknown) =>
        err instanceof UserError &&
        err.message.startsWith(
          `function 'fn': the compiled code (build/classes/java/main, build/resources/main) is older than its sources: src/main/resources/app.properties changed `,
        ) &&
        err.hint === `rebuild it: gradle build in ${dir}`,
    );
  });
});
