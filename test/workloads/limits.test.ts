/** The ranges every request must be in, the whole-second spread, and fio's bssplit rule. */
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/base/errors.js';
import { parseBlockSplit } from '../../workloads/generators/nvme.js';
import { MAX_CPUS, MAX_REQUEST_BYTES, checkRequest } from '../../workloads/limits.js';
import type { IoRequest } from '../../workloads/types.js';
import { spreadWholeSeconds } from '../../workloads/whole-seconds.js';

const ok: IoRequest = { arrivalNs: 0, offset: 4096, size: 4096, write: false };

describe('checkRequest', () => {
  it('passes requests in range, up to 1 GiB and CPU 8191', () => {
    expect(() => checkRequest({ ...ok, size: MAX_REQUEST_BYTES, cpu: MAX_CPUS - 1, responseNs: 5 }, 'f', 1)).not.toThrow();
  });

  it('names the field and the range of each value out of range, with the format\'s field names', () => {
    const bad: [Partial<IoRequest>, RegExp][] = [
      [{ size: MAX_REQUEST_BYTES + 1 }, /^t\.csv:3: field 'Size': 1073741825 bytes is out of range: a request is 1 byte to 1 GiB$/],
      [{ size: 0 }, /field 'Size': 0 bytes is out of range/],
      [{ size: NaN }, /field 'Size': NaN bytes/],
      [{ arrivalNs: Infinity }, /field 'Timestamp': arrival Infinity ns/],
      [{ arrivalNs: -(2 ** 60) }, /field 'Timestamp'/],
      [{ responseNs: -1 }, /field 'response': -1 ns is out of range/],
      [{ offset: -512 }, /field 'Offset': -512 bytes is out of range/],
      [{ cpu: MAX_CPUS }, /field 'cpu': CPU 8192 is out of range \(0 to 8191\)/],
      [{ cpu: 1.5 }, /field 'cpu': CPU 1.5/],
    ];
    for (const [over, message] of bad) {
      expect(() => checkRequest({ ...ok, ...over }, 't.csv', 3, { size: 'Size', time: 'Timestamp', offset: 'Offset' }), JSON.stringify(over)).toThrow(message);
      expect(() => checkRequest({ ...ok, ...over }, 't.csv', 3)).toThrow(ParseError);
    }
  });
});

describe('whole-second timestamps', () => {
  it('spread the n requests of one second evenly across it, in file order, and leave lone ones alone', () => {
    const at = (s: number) => ({ ...ok, arrivalNs: s * 1e9 });
    const rs = [at(5), at(5), at(7), at(5), at(5), at(9)];
    expect(spreadWholeSeconds(rs)).toBe(4);
    expect(rs.map((r) => r.arrivalNs)).toEqual([5e9, 5.25e9, 7e9, 5.5e9, 5.75e9, 9e9]);
    expect(spreadWholeSeconds([at(1), at(2)])).toBe(0);
  });
});

describe('fio bssplit', () => {
  it('percentages add up to 100; sizes without one share what is left', () => {
    expect(parseBlockSplit('4k')).toEqual([{ size: 4096, weight: 100 }]);
    expect(parseBlockSplit('4k/50:64k/50')).toEqual([{ size: 4096, weight: 50 }, { size: 65536, weight: 50 }]);
    expect(parseBlockSplit('4k/40:8k:16k')).toEqual([{ size: 4096, weight: 40 }, { size: 8192, weight: 30 }, { size: 16384, weight: 30 }]);
    expect(() => parseBlockSplit('4k/50:64k/40')).toThrow("--bs '4k/50:64k/40': the percentages add up to 90, not 100 (fio's bssplit rule)");
    expect(() => parseBlockSplit('4k/100:8k')).toThrow(/leaving nothing for 8192 bytes/);
    expect(() => parseBlockSplit('4k/x')).toThrow(/percentage 'x' of 4k is not a number from 0 to 100/);
    expect(() => parseBlockSplit('2g')).toThrow(/--bs '2g': expected a size from 1 byte to 1g/);
  });
});
