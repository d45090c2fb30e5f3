// Where executions live: one journal per execution, `<stateDir>/durable/<execution id>.jsonl`, one JSON
// line per change (execution.ts's JournalEntry). Appends to one journal are in order, and each resolves
// once its lines are on disk (fdatasync): the host answers a checkpoint only after that, so what the SDK
// was told is checkpointed survives a crash. A line torn by a crash mid-write is skipped at load.
import { mkdirSync } from 'node:fs';
import { open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJsonLines } from '../util/json-lines';
import { Execution, type JournalEntry } from './execution';

export const DURABLE_DIR = 'durable';

interface Journal {
  handle?: FileHandle;
  chain: Promise<void>;
}

export class ExecutionStore {
  readonly dir: string;
  private readonly journals = new Map<string, Journal>();

  constructor(
    stateDir: string,
    private readonly warn: (message: string) => void,
  ) {
    this.dir = join(stateDir, DURABLE_DIR);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  private file(id: string): string {
    return join(this.dir, `${id}.jsonl`);
  }

  /** Every execution the folder holds. */
  async loadAll(): Promise<Execution[]> {
    const out: Execution[] = [];
    for (const name of (await readdir(this.dir)).sort()) {
      if (!name.endsWith('.jsonl')) continue;
      const file = join(this.dir, name);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        this.warn(`durable: cannot read ${file}: ${(err as Error).message}`);
        continue;
      }
      const { values, corrupt } = parseJsonLines<JournalEntry>(text);
      if (corrupt.count > 0) this.warn(`durable: ${file}: skipped ${corrupt.count} unreadable line(s) (first at line ${corrupt.firstLine})`);
      const exec = Execution.replay(values);
      if (exec) out.push(exec);
      else this.warn(`durable: ${file} does not start with an execution; ignored`);
    }
    return out;
  }

  /** Appends what the execution changed since the last call; resolves once it is on disk. */
  flush(exec: Execution): Promise<void> {
    const entries = exec.drain();
    if (entries.length === 0) return this.journals.get(exec.meta.id)?.chain ?? Promise.resolve();
    const id = exec.meta.id;
    let journal = this.journals.get(id);
    if (!journal) this.journals.set(id, (journal = { chain: Promise.resolve() }));
    const j = journal;
    const data = Buffer.from(entries.map((e) => JSON.stringify(e)).join('\n') + '\n', 'utf8');
    j.chain = j.chain
      .catch(() => undefined)
      .then(async () => {
        j.handle ??= await open(this.file(id), 'a', 0o600);
        for (let offset = 0; offset < data.length;) offset += (await j.handle.write(data, offset)).bytesWritten;
        await j.handle.datasync();
      });
    j.chain.catch((err: unknown) => this.warn(`durable: writing ${this.file(id)} failed: ${(err as Error).message}`));
    return j.chain;
  }

  /** Closes the journal's handle (an ended execution writes nothing more, unless it is touched again). */
  async release(id: string): Promise<void> {
    const j = this.journals.get(id);
    if (!j) return;
    this.journals.delete(id);
    await j.chain.catch(() => undefined);
    await j.handle?.close();
  }

  async remove(id: string): Promise<void> {
    await this.release(id);
    await rm(this.file(id), { force: true });
  }

  async close(): Promise<void> {
    await Promise.all([...this.journals.keys()].map((id) => this.release(id)));
  }
}
