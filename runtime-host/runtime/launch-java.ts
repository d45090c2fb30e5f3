// Java execution environments (java11, java17, java21, java25): our JDK-only runtime (java-bootstrap/, compiled
// once, java-toolchain.ts) under the local JDK's `java`, with the JVM flags Lambda's Java runtimes start with
// and the function's compiled classes on the class path (java-classpath.ts). JAVA_TOOL_OPTIONS from the
// function's environment reaches the JVM as on Lambda, which prints "Picked up JAVA_TOOL_OPTIONS: …".
import { delimiter } from 'node:path';
import { javaClasspath } from './java-classpath';
import { findJdk, javaBootstrapClasses } from './java-toolchain';
import { lambdaEnvironment, type LaunchContext, type LaunchSpec } from './launch-environment';
import { addLayerPaths } from './layers';
import type { FunctionConfig } from './types';

export const JAVA_MAIN_CLASS = 'lambdaworkbench.runtime.Bootstrap';

/**
 * The JVM flags of Lambda's Java runtimes for a memory size M (lambda-behaviour §10, from their command lines):
 * the heap is 85% of M, or M − 240 MB from 1,600 MB up; java11 also caps metaspace (10%, at most 160 MB) and
 * the code cache (5%, at most 80 MB) and compiles with C2 only, java17 and later stop at the C1 compiler.
 */
export function javaMemoryFlags(runtime: string, memorySizeMB: number): string[] {
  const m = memorySizeMB;
  const heapKB = Math.max(Math.ceil(m * 1024 * 0.85), (m - 240) * 1024);
  if (runtime === 'java11') {
    return [
      `-XX:MaxHeapSize=${heapKB}k`,
      `-XX:MaxMetaspaceSize=${Math.min(Math.round(m * 102.4), 163_840)}k`,
      `-XX:ReservedCodeCacheSize=${Math.min(Math.round(m * 51.2), 81_920)}k`,
      '-XX:+UseSerialGC',
      '-XX:-TieredCompilation',
      '-Djava.net.preferIPv4Stack=true',
      '-XX:+ErrorFileToStderr',
    ];
  }
  return [
    `-XX:MaxHeapSize=${heapKB}k`,
    '-XX:+UseSerialGC',
    '-XX:+TieredCompilation',
    '-XX:TieredStopAtLevel=1',
    '--add-opens=java.base/java.io=ALL-UNNAMED',
    '-XX:+ErrorFileToStderr',
  ];
}

export async function javaLaunchSpec(fn: FunctionConfig, context: LaunchContext): Promise<LaunchSpec> {
  const jdk = findJdk(context, fn.runtime);
  // Missing or stale classes are refused before anything is compiled or started.
  const code = javaClasspath(fn);
  const runtimeClasses = await javaBootstrapClasses(jdk, context);
  const env = lambdaEnvironment(fn, context);
  addLayerPaths(env, fn);
  env['_LAMBDA_WORKBENCH_JAVA_CLASSPATH'] = code.classpath.join(delimiter);
  if (code.taskRoot !== fn.codeUri) env['LAMBDA_TASK_ROOT'] = code.taskRoot;
  const args = [
    ...javaMemoryFlags(fn.runtime, fn.memorySizeMB),
    // Lambda's machines run in a UTF-8 locale, so its JVM's default charset is UTF-8; from Java 18 it always is.
    ...(jdk.major < 18 ? ['-Dfile.encoding=UTF-8'] : []),
    '-cp',
    runtimeClasses,
    JAVA_MAIN_CLASS,
    fn.handler,
  ];
  return { command: jdk.java, args, env, cwd: code.taskRoot, localRuntime: { name: 'java', version: jdk.version } };
}
