/**
 * The checked-in WebAssembly (src/model/wasm/pool-ops-bytes.ts,
 * workloads/formats/wasm/ftrace-scan-bytes.ts) is the assembly of its text
 * (the .wat beside it): assembled here again with wabt and compared byte for
 * byte, so nobody edits one without the other.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { basename } from 'node:path';
import { WASM_MODULES, assembleModule, bytesModule } from '../../src/cli/wasm-command.js';
import { DmaArena } from '../../src/model/dma-arena.js';
import { poolOpsFor } from '../../src/model/wasm/pool-ops.js';

describe('pool-ops WebAssembly', () => {
  it.each(WASM_MODULES.map((m) => [basename(m.wat), m] as const))('the checked-in bytes are the assembly of %s (run `npm run wasm` after editing it)', async (_name, m) => {
    expect(readFileSync(m.bytes, 'utf8')).toBe(bytesModule(await assembleModule(m), m));
  });

  it('copies between two places of the shared memory, and each thread gets its own scratch block', () => {
    const arena = new DmaArena();
    const src = arena.alloc(4096);
    const dst = arena.alloc(4096);
    const bytes = new Uint8Array(arena.buffer);
    bytes.fill(0x5a, src, src + 4096);
    const ops = poolOpsFor(arena.memory);
    ops.exports.copy(dst, src, 4096);
    expect(bytes.subarray(dst, dst + 4096).every((b) => b === 0x5a)).toBe(true);
    expect(poolOpsFor(arena.memory)).toBe(ops); // one binding per memory and thread
    expect(poolOpsFor(new DmaArena().memory).scratch).toBe(ops.scratch); // the first block of another arena
  });
});
