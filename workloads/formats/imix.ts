/**
 * An IMIX definition file (shared/traces/imix): `profile,frame_size_bytes,
 * weight,...` rows. The first profile's frame mix is replayed as NIC receive
 * at line rate (`--wire-gbps`), frames spread over the queues by flow.
 */
import { ParseError } from '../../src/base/errors.js';
import { positiveField } from './fields.js';

/** Largest frame, bytes: an IPv4 datagram's 64 KiB. */
const MAX_FRAME_BYTES = 65_535;
import { xorshift32 } from '../../src/stats/prng.js';
import { wireTimeNs } from '../drivers/nic.js';
import type { TraceSource } from './trace-source.js';
import type { IoRequest } from '../types.js';
import type { TraceFormat } from './format.js';

const HEADER = /^profile,frame_size_bytes,weight/;
/** Frames generated (the replay loops over them). */
const FRAMES = 16384;
/** Line rate assumed for arrival times, Gb/s (the NIC model's default). */
const GBPS = 10;

export const imixCsvFormat: TraceFormat = {
  name: 'imix-csv',
  description: 'IMIX definitions (profile,frame_size_bytes,weight,...): the first profile replayed as NIC receive at line rate',
  sniff(source: TraceSource) {
    const first = source.headLines(1)[0] ?? '';
    return HEADER.test(first) ? null : "no 'profile,frame_size_bytes,weight' header";
  },
  async *read(source: TraceSource): AsyncGenerator<IoRequest> {
    const sizes: number[] = [];
    const weights: number[] = [];
    let profile: string | undefined;
    const others = new Set<string>();
    for await (const [n, line] of source.lines()) {
      if (n === 1 || line.trim() === '') continue;
      const f = line.split(',');
      if (f.length < 3) throw new ParseError(source.file, n, 'weight', `expected at least 3 comma-separated fields, found ${f.length}`);
      profile ??= f[0];
      if (f[0] !== profile) {
        others.add(f[0]);
        continue;
      }
      const size = positiveField(f[1], source.file, n, 'frame_size_bytes');
      if (size > MAX_FRAME_BYTES) throw new ParseError(source.file, n, 'frame_size_bytes', `${size} is out of range: a frame is 1 to ${MAX_FRAME_BYTES} bytes`);
      sizes.push(size);
      weights.push(positiveField(f[2], source.file, n, 'weight'));
    }
    if (!profile) throw new ParseError(source.file, 2, 'profile', 'no IMIX rows');
    if (others.size) source.warn(`profile '${profile}' replayed; ${[...others].join(', ')} ignored`);
    const total = weights.reduce((s, w) => s + w, 0);
    const rand = xorshift32(0x1a1c);
    let t = 0;
    for (let i = 0; i < FRAMES; i++) {
      let r = rand() * total;
      let k = 0;
      while (k < sizes.length - 1 && (r -= weights[k]) >= 0) k++;
      t += wireTimeNs(sizes[k], GBPS);
      yield { arrivalNs: t, offset: 0, size: sizes[k], write: false, network: 'rx', flow: i, minAlignMask: 0 };
    }
  },
};
