/** Reading JSON inputs (summary.json, shard.json, gate files, suites) with one kind of error: the file and the field at fault. */
import type { z } from 'zod';
import { InputError } from '../base/errors.js';

/** `throughput[3].maps_per_s` from a zod issue path (`(top level)` for the root). */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(top level)';
}

/**
 * Parse `text` as JSON (through `revive`, when given) and check it against `schema`.
 * @returns the value as parsed (not zod's copy: key order and extra fields kept) and zod's typed data.
 * @throws InputError `FILE: not valid JSON: ...` or `FILE: field 'a.b[2]': ...`.
 */
export function parseJsonAs<S extends z.ZodType>(schema: S, text: string, file: string, revive: (v: unknown) => unknown = (v) => v): { json: unknown; data: z.infer<S> } {
  let json: unknown;
  try {
    json = revive(JSON.parse(text));
  } catch (err) {
    throw new InputError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${file}: field '${fieldPath(issue.path)}': ${issue.message}`);
  }
  return { json, data: parsed.data };
}
