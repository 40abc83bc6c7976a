/**
 * Devices in workloads: each mapping carries the device that maps it through
 * the schedule, so per-device designs know whose pool to use. virtio-blk-net
 * has two (a CoCo guest's virtio-blk and virtio-net); every other workload one.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_GENERATOR } from '../../workloads/generators/nvme.js';
import { rxBufferSize } from '../../workloads/drivers/nic.js';
import { loadWorkload } from '../../workloads/index.js';
import { parseLatency } from '../../workloads/latency-model.js';
import { buildSchedule } from '../../workloads/schedule/build.js';

const latency = parseLatency('20+3000');

async function scheduleOf(workload: string, threads: number) {
  const loaded = await loadWorkload(workload, { threads, latency, generator: { ...DEFAULT_GENERATOR, iosPerJob: 200, seed: 5 } });
  return buildSchedule(workload, loaded.requests, { threads, segment: 'max', minAlignMask: 0xfff, latency, completionCpu: 'same' });
}

describe('devices', () => {
  it('virtio-blk-net: the NIC (device 1) maps MTU 1500 ring buffers on every queue, the disk (device 0) block I/O, neither with a min_align_mask', async () => {
    const s = await scheduleOf('virtio-blk-net', 4);
    expect(s.devices).toBe(2);
    const device = new Int32Array(s.device);
    const size = new Int32Array(s.size);
    const mask = new Int32Array(s.mask);
    const cpu = new Int32Array(s.mapCpu);
    const nic = [...device.keys()].filter((m) => device[m] === 1);
    const disk = [...device.keys()].filter((m) => device[m] === 0);
    expect(nic.length).toBeGreaterThan(0);
    expect(disk.length).toBeGreaterThan(0);
    expect(nic.every((m) => size[m] === rxBufferSize(1500))).toBe(true);
    expect(new Set(nic.map((m) => cpu[m]))).toEqual(new Set([0, 1, 2, 3])); // a queue per CPU
    expect(disk.some((m) => size[m] > rxBufferSize(1500))).toBe(true);
    expect([...mask].every((x) => x === 0)).toBe(true);
  });

  it.each(['msr-hm0', 'net-rx-mtu1500', 'nvme-4k-randread-qd32'])('%s has one device', async (w) => {
    const s = await scheduleOf(w, 2);
    expect(s.devices).toBe(1);
    expect(new Int32Array(s.device).every((d) => d === 0)).toBe(true);
  });
});

describe('a bad device index', () => {
  it('is bad input naming the request', () => {
    const requests = [{ arrivalNs: 0, offset: 0, size: 4096, write: true }, { arrivalNs: 1, offset: 0, size: 4096, write: true, device: -1 }];
    expect(() => buildSchedule('mine', requests, { threads: 1, segment: 'max', minAlignMask: 0xfff, latency, completionCpu: 'same' })).toThrow(/mine: request 2 names device -1; expected an integer from 0 to 63/);
  });
});
