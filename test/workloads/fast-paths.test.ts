/**
 * The text readers' fast paths (bytes scanned in place) against their exact
 * parsers: a line in the plain shape the fast path takes and the same line
 * spelled oddly (spaces, tabs, letter case: left to the exact parser) give
 * the same request; the line walk across the 64 KiB reads (a CR and its LF
 * in different reads, long lines, no final line break); and pcap records
 * cut by the reads.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/base/paths.js';
import { DMA_BIDIRECTIONAL } from '../../src/model/dma.js';
import { readTrace } from '../../workloads/formats/index.js';
import { TraceSource } from '../../workloads/formats/trace-source.js';
import { ftraceParser } from '../../workloads/formats/ftrace.js';
import { SKIP } from '../../workloads/formats/line-format.js';
import type { IoRequest } from '../../workloads/types.js';
import { tempDir } from '../helpers.js';

const dir = tempDir('fast-paths');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
/** The requests of `text` (latin1) read as `format`. */
async function requests(format: string, text: string): Promise<IoRequest[]> {
  return (await readTrace(writeText(text), format)).requests;
}

/** A file holding `text` (latin1). */
function writeText(text: string): string {
  const file = join(dir, `t${files++}`);
  writeFileSync(file, Buffer.from(text, 'latin1'));
  return file;
}

/** Per format: an optional header, a line in the fast path's shape, and spellings of it that only the exact parser reads. */
const CASES: { format: string; header?: string; plain: string; odd: string[] }[] = [
  { format: 'msr', plain: '128166385295514663,hm,0,Write,9056014336,2048,2833', odd: [' 128166385295514663,hm,0, write ,9056014336, 2048,2833\t', '128166385295514663,hm,0,WRITE,9056014336,+2048,2833'] },
  { format: 'mqsim', plain: '938513000 4 264719034 16 0', odd: ['938513000  4\t264719034 16 0', ' 938513000 4 264719034 16 0 '] },
  { format: 'disksim', plain: '0.221 5 174224064 16 1', odd: ['0.221\t5 174224064  16 1', ' 0.221 5 174224064 16 1'] },
  { format: 'tencent', plain: '1538323200,4247200,128,1,1058', odd: ['1538323200, 4247200 ,128,1 ,1058'] },
  { format: 'systor17', header: 'Timestamp,Response,IOType,LUN,Offset,Size', plain: '1456095145.133076000,0.000806000,R,0,899056122368,131072', odd: ['1456095145.1330760001,0.000806,r,0, 899056122368,131072'] },
  { format: 'cloudphysics-csv', header: 'version,time,op,size,lbn', plain: '1,5633898,2a,512,42932745', odd: ['1, 5633898,2A,512,42932745'] },
  { format: 'fio-iolog2', header: 'fio version 2 iolog', plain: '/dev/sdb write 520 512', odd: ['/dev/sdb\twrite 520 512', ' /dev/sdb write  520 512'] },
  { format: 'fio-iolog3', header: 'fio version 3 iolog', plain: '878 /dev/sdb read 16384 4096', odd: ['878\t/dev/sdb read 16384 4096'] },
  {
    format: 'ftrace',
    plain: '        fio-2001    [001] .....   100.000100: swiotlb_bounced: dev_name: 0000:01:00.0 dma_mask=ffffffff dev_addr=12345a00 size=4096 NORMAL',
    odd: [
      '\tfio-2001\t[001]\t.....\t100.000100:\tswiotlb_bounced:\tDEV_NAME:\t0000:01:00.0\tdma_mask=FFFFFFFF\tdev_addr=12345A00\tsize=4096\tnormal and more',
      'fio-2001 [001] ..... 100.0001: swiotlb_bounced: junk dev_name:0000:01:00.0 dma_mask=ffffffff dev_addr=12345a00 size=4096 NORMAL\r',
      // Past the fast path's 15 digits (exact as doubles): CPU, whole seconds, size.
      '        fio-2001    [0000000000000001] .....   100.000100: swiotlb_bounced: dev_name: 0000:01:00.0 dma_mask=ffffffff dev_addr=12345a00 size=4096 NORMAL',
      '        fio-2001    [001] .....   0000000000000100.000100: swiotlb_bounced: dev_name: 0000:01:00.0 dma_mask=ffffffff dev_addr=12345a00 size=4096 NORMAL',
      '        fio-2001    [001] .....   100.000100: swiotlb_bounced: dev_name: 0000:01:00.0 dma_mask=ffffffff dev_addr=12345a00 size=0000000000004096 NORMAL',
      // A device name longer than two reads: the line is carried over and the WebAssembly memory grows for it.
      `        fio-2001    [001] .....   100.000100: swiotlb_bounced: dev_name: ${'n'.repeat(200_000)} dma_mask=ffffffff dev_addr=12345a00 size=4096 NORMAL`,
    ],
  },
];

describe('fast paths read each line as the exact parsers do', () => {
  for (const c of CASES) {
    it(`${c.format}: odd spellings give the fast path's request`, async () => {
      const head = c.header ? `${c.header}\n` : '';
      // Two rows: the second's arrival is relative to the first's, whichever path read each.
      const plain = await requests(c.format, `${head}${c.plain}\n${c.plain}\n`);
      expect(plain).toHaveLength(2);
      for (const odd of c.odd) {
        expect(await requests(c.format, `${head}${odd}\n${c.plain}\n`), JSON.stringify(odd)).toEqual(plain);
        expect(await requests(c.format, `${head}${c.plain}\n${odd}`), JSON.stringify(odd)).toEqual(plain);
      }
    });
  }

  it('ftrace: dashes in the task name, no flags column, FORCE and all-ones addresses, comments with leading spaces', async () => {
    const event = (task: string, rest: string) => `  ${task} [002] ${rest}`;
    const t = await requests('ftrace', [
      '   # a comment',
      event('systemd-journal-123', 'd..1. 5.5: swiotlb_bounced: dev_name: nvme0 dma_mask=ff dev_addr=fff size=9 FORCE'),
      event('kworker/u8:2-77', '5.25: swiotlb_bounced: dev_name: x dma_mask=ff dev_addr=ffffffffffffffff size=66 NO_FORCE'),
      '',
    ].join('\n'));
    const base = { write: false, dir: DMA_BIDIRECTIONAL, cpu: 2, minAlignMask: 0, mayBlock: false };
    expect(t).toEqual([
      { arrivalNs: 0, offset: 0xfff, size: 9, ...base, forced: true },
      { arrivalNs: -250_000_000, offset: 0, size: 66, ...base, forced: false },
    ]);
  });
  it('ftrace: other events are skipped with one warning, and a line that names swiotlb_bounced outside the event is still an error', async () => {
    const plain = CASES.find((c) => c.format === 'ftrace')!.plain;
    const other = '  kworker/2:1-88    [002] .....   100.001000: sched_switch: prev_comm=kworker next_comm=swapper';
    const only = await readTrace(writeText(`${plain}\n${plain}\n`), 'ftrace');
    const mixedFile = writeText([other, plain, other, other, plain, other, ''].join('\n'));
    const mixed = await readTrace(mixedFile, 'ftrace');
    expect(mixed.requests).toEqual(only.requests);
    expect(mixed.warnings).toEqual([`${mixedFile}: line 1: lines that are not swiotlb_bounced events are skipped`]);
    const named = '  swiotlb_bounced-9 [001] ..... 100.2: sched_switch: prev_comm=a next_comm=b';
    await expect(readTrace(writeText([other, plain, named, ''].join('\n')), 'ftrace')).rejects.toThrow(/:3: field 'event'/);
  });
});

describe('ftrace: the WebAssembly fast path against the regular expressions, on mutated lines', () => {
  const plain = CASES.find((c) => c.format === 'ftrace')!.plain;
  const lines = [plain, '  kworker/u8:2-77 [002] 5.25: swiotlb_bounced: dev_name: x dma_mask=ff dev_addr=ffffffffffffffff size=66 NO_FORCE', '   keybroker-143    [000] b..2.   100.002000: swiotlb_bounced: dev_name: 0000:00:00.0 dma_mask=ffffffffffffffff dev_addr=ffffffffffffffff size=66 FORCE'];
  // The characters the fast path decides on: separators, digits, hex, the words' letters, CR, no-break space, tab.
  const alphabet = ' \t\r\u00a0-.:[]#=0123456789abcdefABCDEFx_NORMALFCE'.split('');
  const edit = fc.record({ kind: fc.constantFrom('insert', 'delete', 'replace'), at: fc.nat(), ch: fc.constantFrom(...alphabet) });

  /** The request (or SKIP or null) the fast path gives `line`, after a first plain event has set the time origin. */
  function viaFast(line: string) {
    const p = ftraceParser({ file: 'mutated', warn: () => undefined } as unknown as TraceSource);
    const bytes = Buffer.from(`${plain}\n${line}\n`, 'latin1');
    p.piece!(bytes, 0, bytes.length);
    const first = plain.length;
    expect(p.fast(bytes, 0, first)).not.toBeNull();
    return p.fast(bytes, first + 1, bytes.length - 1);
  }
  /** What the regular expressions make of `line` (or the error they throw), with the same time origin. */
  function viaExact(line: string) {
    const p = ftraceParser({ file: 'mutated', warn: () => undefined } as unknown as TraceSource);
    p.parse(plain, 1);
    try {
      return p.parse(line, 2);
    } catch (e) {
      return e as Error;
    }
  }

  it('every line the fast path reads, the exact parser reads the same; comments it skips match ^\\s*#', () => {
    let read = 0;
    fc.assert(
      fc.property(fc.constantFrom(...lines), fc.array(edit, { minLength: 1, maxLength: 4 }), (base, edits) => {
        let line = base;
        for (const e of edits) {
          const at = e.at % (line.length + 1);
          line = e.kind === 'insert' ? line.slice(0, at) + e.ch + line.slice(at) : e.kind === 'delete' ? line.slice(0, at) + line.slice(at + 1) : line.slice(0, at) + e.ch + line.slice(at + 1);
        }
        if (line.includes('\n')) return;
        const fast = viaFast(line);
        if (fast === null) return;
        if (fast === SKIP) {
          expect(/^\s*#/.test(line), JSON.stringify(line)).toBe(true);
          return;
        }
        read++;
        expect(viaExact(line), JSON.stringify(line)).toEqual(fast);
      }),
      { numRuns: 5_000, seed: 20261202 },
    );
    // Most single edits leave a line the fast path still reads (in a digit, a name, the flags).
    expect(read).toBeGreaterThan(500);
  });
});

describe('reading across the 64 KiB reads', () => {
  it('splits lines as the text does: a CR and its LF in different reads, lines longer than a read, no final line break', async () => {
    const READ = 64 * 1024;
    const parts: string[] = [];
    let length = 0;
    const add = (line: string, end: string) => {
      parts.push(line + end);
      length += line.length + end.length;
    };
    // Short lines up to a CRLF whose CR is the last byte of the first read.
    for (let k = 0; length + 100 < READ - 10; k++) add(`line ${k}`, '\n');
    add('x'.repeat(READ - 1 - length), '\r\n');
    add('y'.repeat(300_000), '\n'); // longer than a read
    for (let k = 0; k < 1000; k++) add(`${k},${'z'.repeat(k % 97)}`, k % 3 ? '\n' : '\r\n');
    add('last', '');
    const text = parts.join('');
    expect(text.charCodeAt(READ - 1)).toBe(13);
    const file = join(dir, 'lines.txt');
    writeFileSync(file, Buffer.from(text, 'latin1'));
    const got: string[] = [];
    let next = 1;
    for await (const { first, lines } of (await TraceSource.open(file)).lineBatches()) {
      expect(first).toBe(next);
      next += lines.length;
      got.push(...lines);
    }
    expect(got).toEqual(text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)));
  });

  it('pcap: a capture over several reads gives its frames as the single capture does, record by record', async () => {
    const one = readFileSync(join(projectRoot(), 'workloads', 'traces', 'smtp.pcap'));
    const copies = 20; // 556 KB: records cut by the read boundaries
    const file = join(dir, 'x20.pcap');
    writeFileSync(file, Buffer.concat([one, ...Array.from({ length: copies - 1 }, () => one.subarray(24))]));
    const single = (await readTrace(join(projectRoot(), 'workloads', 'traces', 'smtp.pcap'))).requests;
    const many = await readTrace(file);
    expect(many.requests).toEqual(Array.from({ length: copies }, () => single).flat());
    expect(many.warnings).toEqual([]);
  });
});
