import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DMA_FROM_DEVICE, DMA_TO_DEVICE } from '../../src/model/dma.js';
import { readTrace } from '../../workloads/formats/index.js';
import { parseLatency } from '../../workloads/latency-model.js';
import { IMIX, rxFrames } from '../../workloads/generators/net.js';
import { netMappings, rxBufferSize, txPieces } from '../../workloads/drivers/nic.js';
import { COCO_BOOT_CENSUS, PROFILES } from '../../workloads/generators/profiles.js';
import { buildSchedule } from '../../workloads/schedule/build.js';
import type { IoRequest } from '../../workloads/types.js';
import { tempDir } from '../helpers.js';

/** A classic pcap of Ethernet frames from `host` (TX) or to it (RX). */
function pcap(frames: { t: number; len: number; tx: boolean }[], opts: { little: boolean; nanos: boolean }): Buffer {
  const host = Buffer.from('020000000001', 'hex');
  const peer = Buffer.from('020000000002', 'hex');
  const parts: Buffer[] = [];
  const g = Buffer.alloc(24);
  const magic = opts.nanos ? 0xa1b23c4d : 0xa1b2c3d4;
  const u32 = (b: Buffer, v: number, at: number) => (opts.little ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
  const u16 = (b: Buffer, v: number, at: number) => (opts.little ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  u32(g, magic, 0);
  u16(g, 2, 4);
  u16(g, 4, 6);
  u32(g, 65535, 16);
  u32(g, 1, 20);
  parts.push(g);
  for (const f of frames) {
    const h = Buffer.alloc(16);
    u32(h, Math.floor(f.t), 0);
    u32(h, Math.round((f.t % 1) * (opts.nanos ? 1e9 : 1e6)), 4);
    u32(h, f.len, 8);
    u32(h, f.len, 12);
    const body = Buffer.alloc(f.len);
    (f.tx ? peer : host).copy(body, 0);
    (f.tx ? host : peer).copy(body, 6);
    body.writeUInt16BE(0x0800, 12);
    parts.push(h, body);
  }
  return Buffer.concat(parts);
}

describe('pcap reader', () => {
  const frames = [
    { t: 10.5, len: 74, tx: true },
    { t: 10.500250, len: 1514, tx: false },
    { t: 10.501, len: 60, tx: false },
  ];
  it.each([
    { little: true, nanos: false },
    { little: false, nanos: false },
    { little: true, nanos: true },
    { little: false, nanos: true },
  ])('reads %o: wire lengths, inter-arrival times and direction', async (opts) => {
    const file = join(tempDir('pcap'), 'x.pcap');
    writeFileSync(file, pcap(frames, opts));
    const t = await readTrace(file);
    expect(t.format).toBe('pcap');
    expect(t.requests.map((r) => [r.network, r.size])).toEqual([['tx', 74], ['rx', 1514], ['rx', 60]]);
    expect(t.requests[1].arrivalNs).toBeCloseTo(250_000, -1);
    expect(t.requests[2].arrivalNs).toBeCloseTo(1_000_000, -1);
  });

  it('says where a record is truncated', async () => {
    const file = join(tempDir('pcap'), 'cut.pcap');
    const full = pcap(frames, { little: true, nanos: false });
    writeFileSync(file, full.subarray(0, full.length - 10));
    await expect(readTrace(file)).rejects.toThrow(/cut\.pcap:3: field 'record': truncated record at byte offset \d+/);
  });

  it('reads the shipped SMTP capture: 60 frames, 26,866 bytes', async () => {
    const t = await readTrace(join('workloads', 'traces', 'smtp.pcap'));
    expect(t.requests).toHaveLength(60);
    expect(t.requests.reduce((s, r) => s + r.size, 0)).toBe(26866);
    expect(t.requests.some((r) => r.network === 'tx') && t.requests.some((r) => r.network === 'rx')).toBe(true);
  });
});

describe('NIC model', () => {
  const net = { threads: 1, ring: 4, mtu: 1500, napiBudget: 2, wireGbps: 10 };

  it('RX: a ring of MTU buffers, unmapped by NAPI polls of up to the budget and refilled at once', () => {
    const frames: IoRequest[] = [0, 100, 200, 10_000].map((t, i) => ({ arrivalNs: t, offset: 0, size: 100 + i, write: false, network: 'rx', cpu: 0 }));
    const m = netMappings(frames, net);
    // 4 frames used 4 buffers; 4 more sit in the ring at the end.
    expect(m).toHaveLength(8);
    expect(m.every((r) => r.size === rxBufferSize(1500) && !r.write && r.minAlignMask === 0)).toBe(true);
    expect(m.slice(0, 4).map((r) => r.copyBack)).toEqual([100, 101, 102, 103]);
    // Poll 1 (2 us after frame 0) took frames 0 and 1 (budget 2); poll 2 took frame 2.
    expect(m[0].arrivalNs + m[0].responseNs!).toBe(2000);
    expect(m[1].arrivalNs + m[1].responseNs!).toBe(2000);
    expect(m[2].arrivalNs + m[2].responseNs!).toBe(2200);
    // The ring is used in order: frame 3 took the last buffer of the initial fill.
    expect(m[3].arrivalNs).toBe(-1);
    // Left in the ring at the end: the refills of polls 1, 2 and 3, unmapped with nothing to copy.
    expect(m.slice(4).map((r) => [r.arrivalNs, r.copyBack])).toEqual([[2000, 0], [2000, 0], [2200, 0], [12000, 0]]);
  });

  it('RX: a frame bigger than one buffer takes several', () => {
    const m = netMappings([{ arrivalNs: 0, offset: 0, size: 4000, write: false, network: 'rx', cpu: 0 }], net);
    expect(m.slice(0, 3).map((r) => r.copyBack)).toEqual([1536, 1536, 928]);
  });

  it('TX: head plus page fragments, completing after the link has sent it', () => {
    expect(txPieces(65536)).toEqual([128, ...Array(15).fill(4096), 4096 - 128]);
    expect(txPieces(60)).toEqual([60]);
    const m = netMappings([{ arrivalNs: 0, offset: 0, size: 65536, write: true, network: 'tx', cpu: 0 }], net);
    expect(m).toHaveLength(17);
    expect(m.every((r) => r.write && r.responseNs === m[0].responseNs)).toBe(true);
    // 65,556 bytes at 10 Gb/s = 52,445 ns, plus the 2 us completion interrupt.
    expect(m[0].responseNs).toBeCloseTo(54_445, 0);
  });

  it('the schedule maps RX as FROM_DEVICE with the received length to copy back, TX as TO_DEVICE', () => {
    const frames = rxFrames(2, 100, IMIX, 10, 1);
    const s = buildSchedule('net', netMappings(frames, { ...net, threads: 2, ring: 16, napiBudget: 8 }), { threads: 2, segment: 'max', minAlignMask: 0xfff, latency: parseLatency('1'), completionCpu: 'same' });
    const dir = new Int32Array(s.dir);
    const copyBack = new Int32Array(s.copyBack);
    const size = new Int32Array(s.size);
    expect([...dir].every((d) => d === DMA_FROM_DEVICE)).toBe(true);
    expect([...new Int32Array(s.mask)].every((m) => m === 0)).toBe(true);
    // NAPI and ndo_start_xmit cannot sleep: no map of a NIC may block (DMA_ATTR_MAY_BLOCK).
    expect([...new Int32Array(s.attrs)].every((a) => a === 0)).toBe(true);
    expect([...copyBack].filter((c, i) => c < size[i]).length).toBeGreaterThan(100);
    expect(DMA_TO_DEVICE).toBe(1);
  });
});

describe('named profiles', () => {
  it('coco-boot-mix draws sizes by the published census', () => {
    const p = PROFILES.find((x) => x.name === 'coco-boot-mix')!;
    const reqs = p.generate({ threads: 1, latency: parseLatency('80'), generator: { bs: '4k', rw: 'randread', rwmixread: 70, iodepth: 32, iosPerJob: 20_000, seed: 7 }, net: { ring: 256, mtu: 1500, napiBudget: 64, wireGbps: 10 } });
    for (const band of COCO_BOOT_CENSUS.slice(0, 4)) {
      const share = reqs.filter((r) => r.size <= band.upTo).length / reqs.length;
      expect(Math.abs(share - band.cumulative)).toBeLessThan(0.015);
    }
    expect(Math.max(...reqs.map((r) => r.size))).toBeLessThanOrEqual(524288);
  });
});
