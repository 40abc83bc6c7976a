/** `npm run wasm`: assemble src/model/wasm/pool-ops.wat into pool-ops-bytes.ts (src/cli/wasm-command.ts). */
import { wasmMain } from '../src/cli/wasm-command.js';

console.log(`wrote src/model/wasm/pool-ops-bytes.ts (${await wasmMain()} bytes of WebAssembly)`);
