/**
 * The few WebAssembly JS API types this project uses (src/model/wasm,
 * src/model/dma-arena.ts). Node has them at run time; TypeScript's only
 * declarations of them are in the DOM library, which a Node project should
 * not pull in.
 */
declare namespace WebAssembly {
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  /** A linear memory; shared ones have a SharedArrayBuffer as `buffer` and can be posted to workers. */
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
    /** Grow by `delta` 64 KiB pages; returns the old size in pages. */
    grow(delta: number): number;
  }
  class Module {
    constructor(bytes: BufferSource);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class Global {
    value: number;
  }
}
