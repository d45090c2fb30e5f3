// Drives the Node bootstrap through the real host: `lambda-workbench invoke <handler> --root <fixture> --json`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { InvokeOutput } from '../../runtime-host/protocol/records';

export const repoRoot = join(__dirname, '..', '..');
export const handlersDir = join(repoRoot, 'test', 'fixtures', 'handlers');
const cli = join(repoRoot, 'dist', 'cli.js');

export interface CliRun {
  exitCode: number | null;
  output: InvokeOutput;
  stderr: string;
}

export function invokeCli(fixture: string, handler: string, args: string[] = [], event?: unknown): Promise<CliRun> {
  return invokeCliAt(join(handlersDir, fixture), handler, args, event);
}

/** `invoke <handler> --root <root> --json [args]`, the event (if any) on stdin. */
export function invokeCliAt(root: string, handler: string, args: string[] = [], event?: unknown): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const argv = [cli, 'invoke', handler, '--root', root, '--json', ...args];
    if (event !== undefined) argv.push('--event', '-');
    const child = spawn(process.execPath, argv, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.stdin.end(event !== undefined ? JSON.stringify(event) : '');
    child.on('error', reject);
    child.on('close', (exitCode) => {
      try {
        resolve({ exitCode, output: JSON.parse(stdout) as InvokeOutput, stderr });
      } catch {
        reject(new Error(`invoke ${root} ${handler}: stdout is not one JSON object (exit ${exitCode})\nstdout: ${stdout}\nstderr: ${stderr}`));
      }
    });
  });
}

/** The function's own lines: everything between START and END. */
export function functionLines(output: InvokeOutput): string[] {
  const start = output.logs.findIndex((l) => l.startsWith('START RequestId:'));
  const end = output.logs.findIndex((l) => l.startsWith('END RequestId:'));
  return output.logs.slice(start + 1, end);
}

/** Lines before START (INIT_START, init console output, INIT_REPORT). */
export function initLines(output: InvokeOutput): string[] {
  return output.logs.slice(
    0,
    output.logs.findIndex((l) => l.startsWith('START RequestId:')),
  );
}

const ISO = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';
/** `<ISO ts>\t<requestId>\t<LEVEL>\t<message>` with the message matched exactly. */
export function consoleLine(requestId: string, level: string, message: string): RegExp {
  return new RegExp(`^${ISO}\\t${requestId}\\t${level}\\t${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}
