/**
 * Strategy registry: built-ins by short name, and plug-ins loaded from a file
 * (`--strategy ./path/to/file.ts` or `.js`) that export a {@link Strategy} as
 * `default` or as `strategy`. TypeScript plug-ins are loaded through tsx.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError, UnknownNameError } from '../src/base/errors.js';
import type { Strategy } from '../src/model/strategy.js';
import { bitmapAreas } from './bitmap-areas.js';
import { cacheFriendlyAreas } from './cache-friendly-areas.js';
import { childPools } from './child-pools.js';
import { dynamicGrowth } from './dynamic-growth/index.js';
import { globalLock } from './global-lock.js';
import { perCpuAreas } from './per-cpu-areas.js';
import { perDevicePools } from './per-device-pools.js';
import { perNumaPools } from './per-numa-pools.js';
import { throttledAreas } from './throttled-areas.js';

export const STRATEGIES: ReadonlyMap<string, Strategy> = new Map([globalLock, perCpuAreas, perNumaPools, dynamicGrowth, throttledAreas, bitmapAreas, cacheFriendlyAreas, childPools, perDevicePools].map((s) => [s.name, s]));

/** True when a `--strategy` item names a file rather than a built-in. */
export function isStrategyPath(ref: string): boolean {
  return ref.includes('/') || /\.(ts|mts|js|mjs)$/.test(ref);
}

/**
 * Look a built-in strategy up by name.
 * @throws UnknownNameError listing the valid names.
 */
export function getStrategy(name: string): Strategy {
  const strategy = STRATEGIES.get(name);
  if (!strategy) throw new UnknownNameError('strategy', name, [...STRATEGIES.keys(), './path/to/plugin.ts']);
  return strategy;
}

/** The form of a `--strategy` item that workers can load: a name, or an absolute file path. */
export function strategyRef(item: string): string {
  return isStrategyPath(item) && !isAbsolute(item) ? resolve(item) : item;
}

let tsxRegistered = false;
const loaded = new Map<string, Strategy>();

/**
 * A built-in by name, or a plug-in from an absolute or relative file path.
 * @throws UnknownNameError, or InputError when the file cannot be loaded or exports no strategy.
 */
export async function loadStrategy(item: string): Promise<Strategy> {
  if (!isStrategyPath(item)) return getStrategy(item);
  const file = strategyRef(item);
  const cached = loaded.get(file);
  if (cached) return cached;
  if (/\.m?ts$/.test(file) && !tsxRegistered) {
    const { register } = await import('tsx/esm/api');
    register();
    tsxRegistered = true;
  }
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    throw new InputError(`strategy plug-in ${file}: cannot load: ${(err as Error).message}`);
  }
  const strategy = (mod.default ?? mod.strategy) as Partial<Strategy> | undefined;
  const missing = ['name', 'description', 'plan', 'create', 'attach'].filter((k) => strategy?.[k as keyof Strategy] === undefined);
  if (!strategy || missing.length) {
    throw new InputError(`strategy plug-in ${file}: exports no Strategy as 'default' or 'strategy' (missing: ${missing.join(', ')})`);
  }
  loaded.set(file, strategy as Strategy);
  return strategy as Strategy;
}
