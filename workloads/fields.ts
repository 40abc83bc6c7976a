/** Field parsing helpers that fail with file, line and field named. */
import { ParseError } from '../src/errors.js';

/** Parse a non-negative decimal integer field. @throws ParseError */
export function intField(text: string | undefined, file: string, line: number, field: string): number {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) {
    throw new ParseError(file, line, field, text === undefined ? 'missing' : `'${text}' is not a non-negative integer`);
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new ParseError(file, line, field, `'${text.trim()}' is too large`);
  return value;
}

/** Parse a positive integer field (sizes). @throws ParseError */
export function positiveField(text: string | undefined, file: string, line: number, field: string): number {
  const value = intField(text, file, line, field);
  if (value === 0) throw new ParseError(file, line, field, 'must be greater than 0');
  return value;
}

/** Split a line and require exactly `count` fields. @throws ParseError */
export function splitFields(line: string, separator: RegExp | string, count: number, file: string, lineNo: number, names: readonly string[]): string[] {
  const fields = line.trim().split(separator);
  if (fields.length !== count) {
    throw new ParseError(file, lineNo, names[Math.min(fields.length, count - 1)], `expected ${count} fields (${names.join(', ')}), found ${fields.length}`);
  }
  return fields;
}
