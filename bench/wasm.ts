/** `npm run wasm`: assemble each WebAssembly text of the project into its bytes module (src/cli/wasm-command.ts). */
import { wasmMain } from '../src/cli/wasm-command.js';

for (const { file, size } of await wasmMain()) console.log(`wrote ${file} (${size} bytes of WebAssembly)`);
