/**
 * How a NIC driver's DMA maps network frames (docs/model.md, "Network
 * drivers"; the shape of virtio-net/mlx-style drivers under swiotlb=force):
 *
 * - RX: each queue (one per CPU) keeps a ring of `ring` buffers mapped
 *   DMA_FROM_DEVICE, each big enough for one MTU frame. A frame fills the next
 *   buffer (several for a frame bigger than a buffer). A NAPI poll runs shortly
 *   after a frame arrives and takes up to `napiBudget` frames that arrived by
 *   then; for each it syncs the received bytes for the CPU and unmaps the
 *   buffer, then refills the ring with as many new mappings. Buffers still in
 *   the ring at the end are unmapped then.
 * - TX: a send is mapped DMA_TO_DEVICE as the driver sees the skb: a linear
 *   head (headers) plus page fragments of at most 4 KiB (GSO/TSO sends up to
 *   64 KiB), and completes when the link has sent it (sends queue behind each
 *   other at the link rate) plus the completion interrupt.
 *
 * Frames go to queues by flow hash (RSS), else by their `cpu`.
 */
import { PAGE_SIZE } from '../../src/model/constants.js';
import type { IoRequest } from '../types.js';

export interface NetOptions {
  threads: number;
  /** RX buffers per queue. */
  ring: number;
  /** Interface MTU, bytes (RX buffer = MTU + Ethernet/VLAN header, rounded to 64). */
  mtu: number;
  /** Frames per NAPI poll. */
  napiBudget: number;
  /** Link speed for wire times, Gb/s. */
  wireGbps: number;
}

export const DEFAULT_NET: Omit<NetOptions, 'threads'> = { ring: 256, mtu: 1500, napiBudget: 64, wireGbps: 10 };

/** Linear head of a TX skb: the headers (the payload sits in page fragments). */
export const TX_HEAD_BYTES = 128;
/** From a frame's arrival to the NAPI poll that takes it (interrupt + softirq). */
const NAPI_DELAY_NS = 2_000;
/** TX completion interrupt delay after the last bit left. */
const TX_IRQ_NS = 2_000;
/** Ethernet header + VLAN tag + FCS. */
const L2_OVERHEAD = 22;

/** RX buffer size for an MTU: room for one frame, cache-line rounded. */
export function rxBufferSize(mtu: number): number {
  return Math.ceil((mtu + L2_OVERHEAD) / 64) * 64;
}

/** Wire time of `bytes` (plus preamble and inter-frame gap per frame), ns. */
export function wireTimeNs(bytes: number, gbps: number): number {
  return ((bytes + 20) * 8) / gbps;
}

/** Split a TX send into head + page fragments. */
export function txPieces(size: number): number[] {
  const pieces = [Math.min(size, TX_HEAD_BYTES)];
  for (let left = size - pieces[0]; left > 0; left -= PAGE_SIZE) pieces.push(Math.min(PAGE_SIZE, left));
  return pieces;
}

/** Turn network frames (any order) into DMA mappings with lifetimes. Block requests pass through. */
export function netMappings(frames: IoRequest[], options: NetOptions): IoRequest[] {
  const out: IoRequest[] = [];
  // Per device (a NIC each), a ring per queue and direction.
  const nics = new Map<number, { rx: IoRequest[][]; tx: IoRequest[][] }>();
  for (const f of frames) {
    if (!f.network) {
      out.push(f);
      continue;
    }
    const device = f.device ?? 0;
    let nic = nics.get(device);
    if (!nic) nics.set(device, (nic = { rx: Array.from({ length: options.threads }, () => []), tx: Array.from({ length: options.threads }, () => []) }));
    const queue = (f.cpu ?? f.flow ?? 0) % options.threads;
    (f.network === 'rx' ? nic.rx : nic.tx)[queue].push(f);
  }
  for (const [device, nic] of nics) {
    const mapped: IoRequest[] = [];
    nic.rx.forEach((list, q) => rxQueue(list, q, options, mapped));
    nic.tx.forEach((list, q) => txQueue(list, q, options, mapped));
    for (const m of mapped) out.push(device === 0 ? m : { ...m, device });
  }
  return out;
}

function rxQueue(frames: IoRequest[], queue: number, o: NetOptions, out: IoRequest[]): void {
  if (frames.length === 0) return;
  frames.sort((a, b) => a.arrivalNs - b.arrivalNs);
  const buffer = rxBufferSize(o.mtu);
  const start = frames[0].arrivalNs - 1;
  // The ring: when each of its buffers was mapped, oldest first.
  const ring: number[] = new Array<number>(o.ring).fill(start);
  const budget = Math.max(1, Math.min(o.napiBudget, o.ring));
  const buffer_ = (mapped: number, unmapped: number, copyBack: number) =>
    out.push({ arrivalNs: mapped, responseNs: Math.max(1, unmapped - mapped), offset: 0, size: buffer, write: false, copyBack, minAlignMask: 0, mayBlock: false, cpu: queue });
  let i = 0;
  let end = start;
  while (i < frames.length) {
    const poll = frames[i].arrivalNs + NAPI_DELAY_NS;
    let used = 0;
    let taken = 0;
    // Take frames that arrived by the poll, up to the budget and the ring.
    while (i < frames.length && frames[i].arrivalNs <= poll && taken < budget) {
      const parts = Math.max(1, Math.ceil(frames[i].size / buffer));
      if (used + parts > o.ring) break;
      let left = frames[i].size;
      for (let p = 0; p < parts; p++) {
        buffer_(ring[used++], poll, Math.min(buffer, left));
        left -= buffer;
      }
      taken++;
      i++;
    }
    if (taken === 0) {
      // One frame bigger than the whole ring: take what the ring holds of it.
      buffer_(ring[used++], poll, buffer);
      i++;
    }
    // Refill what was consumed; the ring stays full.
    ring.splice(0, used);
    for (let k = 0; k < used; k++) ring.push(poll);
    end = poll;
  }
  for (const mapped of ring) buffer_(mapped, end + NAPI_DELAY_NS, 0);
}

function txQueue(sends: IoRequest[], queue: number, o: NetOptions, out: IoRequest[]): void {
  sends.sort((a, b) => a.arrivalNs - b.arrivalNs);
  let wireFree = -Infinity;
  for (const s of sends) {
    // The link sends queued data back to back; a send completes when its last bit left.
    const startWire = Math.max(s.arrivalNs, wireFree);
    wireFree = startWire + wireTimeNs(s.size, o.wireGbps);
    const done = wireFree + TX_IRQ_NS;
    for (const piece of txPieces(s.size)) {
      out.push({ arrivalNs: s.arrivalNs, responseNs: Math.max(1, done - s.arrivalNs), offset: 0, size: piece, write: true, minAlignMask: 0, mayBlock: false, cpu: queue });
    }
  }
}
