// The one reader for the host's JSON-lines files (failure lists, stream shards). One policy: a missing
// file is an empty list, not an error; a line that is not JSON (a crash mid-append tears the last
// one) is skipped, and the skipped lines are counted and reported once per file; any other read
// failure is an error.
import { readFile } from 'node:fs/promises';

export interface ParsedJsonLines<T> {
  values: T[];
  /** Lines that were not valid JSON, and the 1-based number of the first. */
  corrupt: { count: number; firstLine: number };
}

export function parseJsonLines<T>(text: string): ParsedJsonLines<T> {
  const values: T[] = [];
  const corrupt = { count: 0, firstLine: 0 };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim()) continue;
    try {
      values.push(JSON.parse(line) as T);
    } catch {
      if (corrupt.count++ === 0) corrupt.firstLine = i + 1;
    }
  }
  return { values, corrupt };
}

/** The values in `file` (empty when it does not exist); `warn` hears once about lines that were skipped. */
export async function readJsonLines<T>(file: string, warn: (message: string) => void): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const { values, corrupt } = parseJsonLines<T>(text);
  if (corrupt.count > 0) {
    warn(
      `${file}: skipped ${corrupt.count} line${corrupt.count === 1 ? '' : 's'} that ${corrupt.count === 1 ? 'is' : 'are'} not valid JSON (first at line ${corrupt.firstLine})`,
    );
  }
  return values;
}
