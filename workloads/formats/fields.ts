/**
 * Exact field parsers that fail with file, line and field named. The
 * readers' fast paths (workloads/scan.ts) fall back to these for any field
 * they do not take, so these decide what is accepted and word every error.
 */
import { ParseError } from '../../src/base/errors.js';

/**
 * Parse a non-negative decimal integer field the lenient way (Number():
 * surrounding spaces, and also forms such as `1e3`, `+5`, `1.0`): the MSR,
 * MQSim and IMIX readers. @throws ParseError
 *
 * Not merged with {@link uint}: the two accept different texts (uint takes
 * digits only) and word their errors differently (uint says 'is negative'
 * and 'is empty' where this says 'is not a non-negative integer', and this
 * says 'missing' for an absent field), and both are part of their readers'
 * checked behaviour; one function would change one set of readers.
 */
export function intField(text: string | undefined, file: string, line: number, field: string): number {
  // Number() is much faster than a regex; it also takes surrounding spaces.
  const value = text === undefined || text.length === 0 ? NaN : Number(text);
  if (Number.isSafeInteger(value) && value >= 0 && (text!.charCodeAt(0) !== 48 || text!.length === 1 || text!.charCodeAt(1) !== 120) && (value !== 0 || text!.trim() !== '')) return value;
  if (text === undefined) throw new ParseError(file, line, field, 'missing');
  if (Number.isInteger(value) && value > Number.MAX_SAFE_INTEGER) throw new ParseError(file, line, field, `'${text.trim()}' is too large`);
  throw new ParseError(file, line, field, `'${text}' is not a non-negative integer`);
}

/** Parse a positive integer field (sizes). @throws ParseError */
export function positiveField(text: string | undefined, file: string, line: number, field: string): number {
  const value = intField(text, file, line, field);
  if (value === 0) throw new ParseError(file, line, field, 'must be greater than 0');
  return value;
}

/**
 * Split a line (trimmed first unless `trim` is false, as CSV readers that
 * quote a field's text as written want) and require exactly `count` fields.
 * @throws ParseError
 */
export function splitFields(line: string, separator: RegExp | string, count: number, file: string, lineNo: number, names: readonly string[], trim = true): string[] {
  const fields = (trim ? line.trim() : line).split(separator);
  if (fields.length !== count) {
    throw new ParseError(file, lineNo, names[Math.min(fields.length, count - 1)], `expected ${count} fields (${names.join(', ')}), found ${fields.length}`);
  }
  return fields;
}

/**
 * A non-negative decimal integer written with digits only (char loop, no
 * regex), at most Number.MAX_SAFE_INTEGER. With `trim` (the default)
 * surrounding whitespace is allowed and dropped; without it (fio iologs,
 * whose fields are split at single spaces) it is an error like any other
 * non-digit. Errors: `'x' is negative`, `'x' is not a non-negative
 * integer`, `is empty`, `'x' is too large` (x trimmed when `trim`).
 * @throws ParseError
 */
export function uint(text: string, file: string, line: number, field: string, trim = true): number {
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return notUint(text, file, line, field, trim);
    v = v * 10 + d;
  }
  if (text.length === 0 || v > Number.MAX_SAFE_INTEGER) return notUint(text, file, line, field, trim);
  return v;
}

/** The rare end of {@link uint}, kept apart so that uint stays small enough to inline: retry trimmed, or throw. @throws ParseError */
function notUint(text: string, file: string, line: number, field: string, trim: boolean): number {
  if (text.length === 0) throw new ParseError(file, line, field, 'is empty');
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) {
      if (trim && text.trim() !== text) return uint(text.trim(), file, line, field);
      throw new ParseError(file, line, field, text[0] === '-' ? `'${text}' is negative` : `'${text}' is not a non-negative integer`);
    }
  }
  throw new ParseError(file, line, field, `'${text}' is too large`);
}

/**
 * A non-negative decimal (`12`, `0.221`) as an integer count of 10^-digits
 * units, exact (no float rounding): `fixed('0.221', 6)` = 221000. Digits past
 * `digits` are rounded half up. No whitespace is allowed. @throws ParseError
 */
export function fixed(text: string, digits: number, file: string, line: number, field: string): number {
  let v = 0;
  let scale = -1; // digits seen after the point; -1 before it
  let roundUp = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */ && scale < 0 && i > 0) {
      scale = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) throw new ParseError(file, line, field, text[0] === '-' ? `'${text}' is negative` : `'${text}' is not a non-negative decimal number`);
    if (scale < 0) v = v * 10 + d;
    else if (scale < digits) {
      v = v * 10 + d;
      scale++;
    } else if (scale++ === digits) roundUp = d >= 5;
  }
  if (text.length === 0 || scale === 0) throw new ParseError(file, line, field, `'${text}' is not a non-negative decimal number`);
  for (let s = Math.max(scale, 0); s < digits; s++) v *= 10;
  if (roundUp) v++;
  if (!Number.isSafeInteger(v)) throw new ParseError(file, line, field, `'${text}' is too large`);
  return v;
}

/** Whole seconds and nanoseconds, as {@link seconds} returns them. */
export interface Seconds {
  /** Whole seconds. */
  s: number;
  /** Nanoseconds: 0 to 999,999,999, or 1,000,000,000 when rounding a tenth fraction digit carries. */
  ns: number;
}

/**
 * Split non-negative decimal seconds (`1456095145.133076000`, `0.5`, `12`)
 * into whole seconds and nanoseconds, exactly (epoch nanoseconds exceed
 * 2^53); digits past the ninth are rounded half up, and surrounding
 * whitespace is dropped. @throws ParseError
 */
export function seconds(text: string, file: string, line: number, field: string): Seconds {
  const dot = text.indexOf('.');
  if (dot < 0) return { s: uint(text, file, line, field), ns: 0 };
  const bad = () => new ParseError(file, line, field, text.trimStart()[0] === '-' ? `'${text}' is negative` : `'${text}' is not a non-negative decimal number`);
  if (dot === 0 || dot === text.length - 1) throw bad();
  let s = 0;
  for (let i = 0; i < dot; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) {
      if (text.trim() !== text) return seconds(text.trim(), file, line, field);
      throw bad();
    }
    s = s * 10 + d;
  }
  let ns = 0;
  let digits = 0;
  for (let i = dot + 1; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) {
      if (text.trim() !== text) return seconds(text.trim(), file, line, field);
      throw bad();
    }
    if (digits < 9) ns = ns * 10 + d;
    else if (digits === 9 && d >= 5) ns++;
    digits++;
  }
  for (; digits < 9; digits++) ns *= 10;
  if (!Number.isSafeInteger(s)) throw new ParseError(file, line, field, `'${text}' is too large`);
  return { s, ns };
}
