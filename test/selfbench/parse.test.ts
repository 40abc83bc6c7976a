/** `npm run bench:parse` covers every trace reader that issue 12 sets a speed goal for (the timing itself is never asserted). */
import { describe, expect, it } from 'vitest';
import { PARSE_FORMATS } from '../../src/selfbench/parse.js';
import { formatByName } from '../../workloads/formats/index.js';

describe('bench:parse', () => {
  it('times the text, fio and binary readers, each a registered format', () => {
    const goal = ['msr', 'ftrace', 'disksim', 'mqsim', 'systor17', 'tencent', 'cloudphysics-csv', 'fio-iolog2', 'fio-iolog3', 'pcap', 'vscsi'];
    expect([...PARSE_FORMATS].sort()).toEqual([...goal].sort());
    for (const name of PARSE_FORMATS) expect(formatByName(name).name).toBe(name);
  });
});
