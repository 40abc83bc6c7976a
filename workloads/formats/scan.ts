/**
 * {@link FieldScanner}, the fast path of the line-oriented block-trace
 * readers (cloudphysics-csv, systor17, tencent, disksim, mqsim, msr, fio
 * iologs): one pass over a line's bytes where the file's chunk holds them
 * (latin1: a byte is a character), no strings, no regexes, no exceptions
 * (line-format.ts and headed-format.ts put it to use). Bytes, because V8
 * reads a byte of a Uint8Array about twice as fast as String#charCodeAt.
 *
 * Every scan method reads the field that starts at the cursor and ends at the
 * separator or the end of the line, moves the cursor past the separator, and
 * returns the value. For anything unusual (an empty field, spaces, signs, a
 * value too large to be exact, more fraction digits than asked for) it
 * returns {@link BAD} instead, and the cursor is then left anywhere: the
 * reader sends such a line to its exact parser (fields.ts), which
 * accepts the odd but valid spellings and raises the ParseError for the
 * rest. The fast path never raises and never accepts a line that the exact
 * parser would reject or read differently.
 *
 *     const scan = new FieldScanner(COMMA); // one per parser
 *     scan.start(bytes, from, end); // the line is bytes[from, end)
 *     const a = scan.uint();
 *     const b = scan.uint();
 *     if (a < 0 || b < 0 || !scan.done()) return null; // to the exact parser
 */

/**
 * What a scan method returns for a field it does not take (every value it
 * takes is >= 0). The methods write it, and Number.MAX_SAFE_INTEGER, as
 * literals (-1, 9007199254740991): a module constant costs a load and a
 * hole check per use, and bytecode that counts against V8's inlining budget.
 */
export const BAD = -1;
/** Field separators (character codes). */
export const COMMA = 44;
export const SPACE = 32;

/** Nanoseconds per second. */
export const NS_PER_S = 1e9;

const EMPTY = new Uint8Array(0);

/** The latin1 bytes of `word`, for {@link FieldScanner.is}. */
export const latin1 = (word: string): Uint8Array => Buffer.from(word, 'latin1');

/**
 * A cursor over one line's separated fields (see the module comment). Make
 * one per parser (per file): every instance has the same fields in the same
 * order, so the readers' call sites stay monomorphic and V8 inlines the
 * methods, keeping the cursor in a field as fast as a module variable once
 * optimized.
 */
export class FieldScanner {
  /** The bytes holding the line being scanned (a whole chunk of the file). */
  line: Uint8Array = EMPTY;
  /** Index of the next field's first byte; `end + 1` once the last field is taken. */
  at = 0;
  /** Index just past the line's last byte in {@link line}. */
  end = 0;
  /** Nanoseconds (0 to 999,999,999) of the last {@link seconds} that did not return BAD. */
  ns = 0;
  /** Character code that ends a field ({@link COMMA}, {@link SPACE}). */
  readonly sep: number;

  constructor(sep: number) {
    this.sep = sep;
  }

  /** Scan the line `bytes[from, end)` from its first field: nothing past `end` is read. */
  start(bytes: Uint8Array, from: number, end: number): void {
    this.line = bytes;
    this.at = from;
    this.end = end;
  }

  /** True when the fields taken so far are the whole line: none missing, none left over. */
  done(): boolean {
    return this.at === this.end + 1;
  }

  /**
   * An unsigned decimal integer: digits only, at most Number.MAX_SAFE_INTEGER.
   * @returns its value, or BAD (empty, any non-digit including spaces and signs, too large).
   */
  uint(): number {
    const { line, sep, at: from, end: n } = this;
    let i = from;
    let v = 0;
    for (; i < n; i++) {
      const c = line[i];
      if (c === sep) break;
      if (c < 48 || c > 57) return -1;
      v = v * 10 + (c - 48);
    }
    if (i === from || v > 9007199254740991) return -1;
    this.at = i + 1;
    return v;
  }

  /**
   * A non-negative decimal with at most `digits` fraction digits (`12`,
   * `0.221`), as an integer count of 10^-digits units: with digits = 6,
   * `0.221` (ms) gives 221000 (ns). Exact, no float rounding.
   * @returns that count, or BAD (empty, a leading or trailing point, more
   * than `digits` fraction digits, any other character, too large).
   */
  fixed(digits: number): number {
    const { line, sep, at: from, end: n } = this;
    let i = from;
    let v = 0;
    let frac = -1; // fraction digits seen; -1 before the point
    for (; i < n; i++) {
      const c = line[i];
      if (c === sep) break;
      if (c === 46 /* . */ && frac < 0 && i > from) {
        frac = 0;
        continue;
      }
      if (c < 48 || c > 57 || frac >= digits) return -1;
      v = v * 10 + (c - 48);
      if (frac >= 0) frac++;
    }
    if (i === from || frac === 0) return -1;
    for (let k = Math.max(frac, 0); k < digits; k++) v *= 10;
    if (v > 9007199254740991) return -1;
    this.at = i + 1;
    return v;
  }

  /**
   * Seconds as `whole` or `whole.fraction` with 1 to 9 fraction digits
   * (`1456095145.133076000`, `0.5`, `12`), split so that epoch times stay
   * exact: the fraction's nanoseconds are left in {@link ns}.
   * @returns the whole seconds, or BAD (empty, a point with no digit after
   * it, more than 9 fraction digits, any other character, too large); on
   * BAD, {@link ns} keeps its previous value.
   */
  seconds(): number {
    const { line, sep, at: from, end: n } = this;
    let i = from;
    let s = 0;
    for (; i < n; i++) {
      const c = line[i];
      if (c === 46 /* . */ || c === sep) break;
      if (c < 48 || c > 57) return -1;
      s = s * 10 + (c - 48);
    }
    if (i === from || s > 9007199254740991) return -1;
    let ns = 0;
    let digits = 0;
    if (i < n && line[i] === 46) {
      for (i++; i < n; i++) {
        const c = line[i];
        if (c === sep) break;
        if (c < 48 || c > 57 || digits === 9) return -1;
        ns = ns * 10 + (c - 48);
        digits++;
      }
      if (digits === 0) return -1;
    }
    for (; digits < 9; digits++) ns *= 10;
    this.ns = ns;
    this.at = i + 1;
    return s;
  }

  /**
   * Any field (its text is not read), but one holding `forbid` (a character
   * code; -1 for none) or, when `nonEmpty`, an empty one.
   * @returns its length, or BAD.
   */
  skip(nonEmpty: boolean, forbid: number): number {
    const { line, sep, at: from, end: n } = this;
    let i = from;
    for (; i < n; i++) {
      const c = line[i];
      if (c === sep) break;
      if (c === forbid) return -1;
    }
    if (i === from && (nonEmpty || from > n)) return -1;
    this.at = i + 1;
    return i - from;
  }

  /** Is the field exactly `word` (its bytes, see {@link latin1})? Then the cursor moves past it (else it stays). */
  is(word: Uint8Array): boolean {
    const { line, at, end } = this;
    const n = word.length;
    if (at + n > end || (at + n < end && line[at + n] !== this.sep)) return false;
    for (let k = 0; k < n; k++) if (line[at + k] !== word[k]) return false;
    this.at = at + n + 1;
    return true;
  }

  /**
   * A one-character field (an I/O type letter such as `R` or `W`).
   * @returns its character code, or BAD (empty, or longer than one character).
   */
  char(): number {
    const { line, at: i, end } = this;
    if (i >= end) return -1;
    const c = line[i];
    if (c === this.sep || (i + 1 < end && line[i + 1] !== this.sep)) return -1;
    this.at = i + 2;
    return c;
  }

  /**
   * A SCSI opcode in lower-case hex when it is READ(10) `28` or WRITE(10) `2a`.
   * @returns 0x28 or 0x2a, or BAD for any other spelling or opcode (which the
   * exact parser reads, so that the reader can skip the row with its warning).
   */
  scsiReadWrite(): number {
    const { line, at: i, end } = this;
    if (i + 2 > end || line[i] !== 50 /* 2 */ || (i + 2 !== end && line[i + 2] !== this.sep)) return -1;
    const c = line[i + 1];
    const op = c === 56 /* 8 */ ? 0x28 : c === 97 /* a */ ? 0x2a : -1;
    if (op !== -1) this.at = i + 3;
    return op;
  }
}
