/** Streaming line reader for trace files, with 1-based line numbers. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../src/errors.js';

/**
 * Yield `[lineNo, line]` for each line of `file`, reading by stream.
 * @throws InputError when the file cannot be opened.
 */
export async function* readLines(file: string): AsyncGenerator<[number, string]> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err) => reject(new InputError(`${file}: cannot read: ${err.message}`)));
  });
  await opened;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) yield [++n, line];
}

/** The first non-blank line of `file` (for format detection), or null for an empty file. */
export async function firstLine(file: string): Promise<string | null> {
  for await (const [, line] of readLines(file)) if (line.trim() !== '') return line;
  return null;
}
