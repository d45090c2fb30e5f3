// Watches folders for changes with one non-recursive fs.watch per directory. Node's recursive mode
// would also descend into node_modules and .git (thousands of inotify watches) and into the state
// folder, which changes on every invocation.
import { readdirSync, statSync, watch, type Dirent, type FSWatcher } from 'node:fs';
import { join, sep } from 'node:path';

const IGNORED_NAMES = new Set(['node_modules', '.git', '.lambda-workbench', '.cache', '.aws-sam', '__pycache__', '.venv']);
/** Enough for real projects; keeps a pathological tree from eating every inotify watch. */
const MAX_DIRECTORIES = 2000;

export class TreeWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private closed = false;

  constructor(
    private readonly onChange: (path: string) => void,
    /** Absolute paths never watched (the state folder). */
    private readonly ignoredPaths: string[] = [],
  ) {}

  /** Starts watching `dir` and everything below it (idempotent). */
  add(dir: string): void {
    this.scan(dir);
  }

  directories(): string[] {
    return [...this.watchers.keys()];
  }

  close(): void {
    this.closed = true;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  private ignored(path: string): boolean {
    return this.ignoredPaths.some((p) => path === p || path.startsWith(p + sep));
  }

  private scan(dir: string): void {
    if (this.closed || this.watchers.has(dir) || this.ignored(dir) || this.watchers.size >= MAX_DIRECTORIES) return;
    try {
      if (!statSync(dir).isDirectory()) return;
    } catch {
      return;
    }
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: false }, (_event, filename) => {
        const name = filename ? String(filename) : '';
        if (IGNORED_NAMES.has(name)) return;
        const path = name ? join(dir, name) : dir;
        if (this.ignored(path)) return;
        // A new folder (created, renamed in, or a checkout) needs its own watcher.
        if (name) this.scan(path);
        this.onChange(path);
      });
    } catch {
      return; // not a directory, vanished, or not readable
    }
    watcher.on('error', () => {
      watcher.close();
      this.watchers.delete(dir);
    });
    this.watchers.set(dir, watcher);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory() && !IGNORED_NAMES.has(e.name)) this.scan(join(dir, e.name));
    }
  }
}
