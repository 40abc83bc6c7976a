/**
 * Network loads without a capture: frames arriving back to back at line rate
 * on every queue (RX), or 64 KiB TSO sends (TX). The frames go through
 * net-model.ts like a pcap's.
 */
import { xorshift32 } from '../../src/stats/prng.js';
import { wireTimeNs } from '../drivers/nic.js';
import type { IoRequest } from '../types.js';

/** A frame-size distribution: sizes (bytes on the wire, no FCS) and relative weights. */
export interface FrameMix {
  sizes: number[];
  weights: number[];
}

/**
 * Standard IMIX 7:4:1 (64, 594, 1518 bytes with FCS: 60, 590, 1514 DMA'd), as
 * transcribed from the Ostinato and TRex definitions in shared/traces/imix.
 */
export const IMIX: FrameMix = { sizes: [60, 590, 1514], weights: [7, 4, 1] };

/** Full-size frames for an MTU: MTU + 14-byte Ethernet header. */
export function mtuFrames(mtu: number): FrameMix {
  return { sizes: [mtu + 14], weights: [1] };
}

function picker(mix: FrameMix, rand: () => number): () => number {
  const total = mix.weights.reduce((s, w) => s + w, 0);
  return () => {
    let r = rand() * total;
    for (let i = 0; i < mix.sizes.length; i++) if ((r -= mix.weights[i]) < 0) return mix.sizes[i];
    return mix.sizes[mix.sizes.length - 1];
  };
}

/** `perQueue` RX frames on each of `queues` queues, back to back at `gbps`. */
export function rxFrames(queues: number, perQueue: number, mix: FrameMix, gbps: number, seed: number): IoRequest[] {
  const out: IoRequest[] = [];
  for (let q = 0; q < queues; q++) {
    const pick = picker(mix, xorshift32(seed * 104729 + q + 1));
    let t = 0;
    for (let n = 0; n < perQueue; n++) {
      const size = pick();
      t += wireTimeNs(size, gbps);
      out.push({ arrivalNs: t, offset: 0, size, write: false, network: 'rx', cpu: q, minAlignMask: 0 });
    }
  }
  return out;
}

/** `perQueue` TX sends of `size` bytes on each queue, offered at line rate. */
export function txSends(queues: number, perQueue: number, size: number, gbps: number): IoRequest[] {
  const out: IoRequest[] = [];
  for (let q = 0; q < queues; q++) {
    for (let n = 0; n < perQueue; n++) out.push({ arrivalNs: n * wireTimeNs(size, gbps), offset: 0, size, write: true, network: 'tx', cpu: q, minAlignMask: 0 });
  }
  return out;
}
