/**
 * The cases a reliability review broke the harness with: each now ends with
 * exit 2 (bad input, refused before anything runs) or exit 1 (a run failed),
 * one line on stderr naming what and where, never a stack trace, in seconds.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';

const QUICK = ['--duration', '0.1', '--warmup', '0', '--repeat', '1', '--threads', '1', '--no-progress'];

/** An MSR line, a vSCSI record, an ftrace event and an MQSim line with the value given. */
function vscsi(len: number): Buffer {
  const b = Buffer.alloc(32);
  b.writeUInt32LE(1, 0);
  b.writeUInt32LE(len, 4);
  b.writeUInt32LE(1, 8);
  b.writeUInt16LE(0x2a, 12);
  b.writeUInt16LE(0x0100, 14);
  b.writeUInt32LE(1000, 16);
  b.writeUInt32LE(0x1234, 24);
  return b;
}
const ftrace = (cpu: string, size: string) => `# tracer: nop\n        fio-2001    [${cpu}] .....   100.000100: swiotlb_bounced: dev_name: 0000:01:00.0 dma_mask=ffffffff dev_addr=12345a00 size=${size} NORMAL\n`;

describe('hostile input and option pairs', () => {
  const dir = tempDir('hostile');
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const cases: [string, string[], number, RegExp][] = [
    ['MSR request of 4 GiB', ['--workload', `trace:${file('big.csv', '128166385295514663,hm,0,Write,9056014336,4294967296,2833\n')}`], 2, /big\.csv:1: field 'Size': 4294967296 bytes is out of range: a request is 1 byte to 1 GiB$/],
    ['vSCSI length 0xffffffff', ['--workload', `trace:${file('big.vscsi', vscsi(0xffffffff))}`], 2, /big\.vscsi:1: field 'len': 4294967295 bytes is out of range/],
    ['ftrace size of 2^64', ['--workload', `trace:${file('huge.txt', ftrace('001', '18446744073709551616'))}`], 2, /huge\.txt:2: field 'size': .* is out of range/],
    ['ftrace CPU of 400 digits', ['--workload', `trace:${file('cpu.txt', ftrace('9'.repeat(400), '4096'))}`], 2, /cpu\.txt:2: field 'CPU': CPU Infinity is out of range \(0 to 8191\)$/],
    ['MQSim request of 2^31 sectors', ['--workload', `trace:${file('big.trace', '938513000 4 264719034 2147483648 0\n')}`], 2, /big\.trace:1: field 'SizeSectors': 1099511627776 bytes is out of range/],
    ['--bs 1g', ['--workload', 'nvme-gen', '--bs', '1g'], 2, /nvme-gen: more than 4,194,304 mappings in one pass/],
    ['a bssplit summing to 90%', ['--workload', 'nvme-gen', '--bs', '4k/50:64k/40'], 2, /--bs '4k\/50:64k\/40': the percentages add up to 90, not 100/],
    ['throttled-areas with --completion-cpu other', ['--strategy', 'throttled-areas', '--completion-cpu', 'other', '--threads', '2'], 2, /--strategy throttled-areas with --completion-cpu other: its maps may block/],
    ['CPUs per node that do not cover the threads', ['--strategy', 'per-numa-pools', '--cpus-per-node', '1', '--nodes', '2', '--threads', '4'], 2, /--cpus-per-node 1 x --nodes 2 places 2 CPUs in contiguous blocks, fewer than --threads 4/],
    ['--wire-gbps 0', ['--wire-gbps', '0'], 2, /--wire-gbps <gbps>.* expected a link speed in Gb\/s above 0/],
    ['a plug-in whose attach() throws', ['--strategy', file('thrower.mjs', "export default { name: 'thrower', description: 'x', plan(r) { return { nslabs: 2048, nareas: 1, rules: r.rules, notes: [] }; }, create(plan) { return { plan, pools: [] }; }, attach() { throw new Error('attach exploded'); } };\n")], 1, /^error: thrower msr-hm0 threads=1 repeat=0: worker for cpu 0 failed: attach exploded$/],
  ];
  for (const [what, args, code, message] of cases) {
    it(`${what}: exit ${code}, one line naming it, no stack trace`, () => {
      const out = join(dir, `out-${what.replace(/\W+/g, '_')}`);
      const t0 = performance.now();
      const r = runCli('bench', [...QUICK, ...args, '--out', out]);
      expect(r.code, r.stderr).toBe(code);
      // One line (an option error adds commander's hint to run --help).
      const lines = r.stderr.trim().split('\n').filter((l) => l !== '(run with --help for every option and its default)');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(performance.now() - t0).toBeLessThan(30_000);
      const dirs = (() => { try { return readdirSync(out); } catch { return []; } })();
      if (code === 2) expect(dirs.filter((d) => !d.startsWith('.'))).toEqual([]); // refused before anything ran
      else {
        const partial = dirs.filter((d) => d.endsWith('.partial'));
        expect(partial).toHaveLength(1);
        const error = readFileSync(join(out, partial[0], 'ERROR.txt'), 'utf8');
        expect(error).toMatch(/^RunError: thrower msr-hm0 threads=1 repeat=0: worker for cpu 0 failed: attach exploded\n/);
        expect(error).toMatch(/\n\s+at /); // the stack traces are kept here, not printed
      }
    }, 60_000);
  }

  it('layout changes the options asked for are console warnings', () => {
    const r = runCli('bench', [...QUICK, '--strategy', 'per-cpu-areas,global-lock,per-numa-pools', '--areas', '3', '--nodes', '3', '--threads', '2', '--workload', 'nvme-gen', '--out', join(dir, 'out-layout')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('warning: per-cpu-areas (threads=2): --areas 3 rounded up to 4, a power of two (swiotlb_adjust_nareas)');
    expect(r.stdout).toContain('warning: global-lock (threads=2): --areas 3 ignored: global-lock always has 1 area');
    expect(r.stdout).toContain('warning: per-numa-pools (threads=2): --areas 3 rounded up to 4, a power of two (swiotlb_adjust_nareas)');
    // Equal memory: 3 nodes share the 32768 slots one pool has, in units of 4 areas x 128 slots (64 units: 22, 21, 21).
    expect(r.stdout).not.toMatch(/pools of different sizes/);
    const plans = JSON.parse(readFileSync(join(dir, 'out-layout', 'latest', 'summary.json'), 'utf8')).plans;
    expect(plans['per-numa-pools threads=2']).toMatchObject({ nslabs: 32768, nareas: 4, nodeSlots: [22 * 512, 21 * 512, 21 * 512] });
  }, 60_000);
});
