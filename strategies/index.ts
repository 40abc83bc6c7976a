/** Registry of built-in strategies by short name. */
import { UnknownNameError } from '../src/errors.js';
import type { Strategy } from '../src/strategy.js';
import { globalLock } from './global-lock.js';
import { perCpuAreas } from './per-cpu-areas.js';

export const STRATEGIES: ReadonlyMap<string, Strategy> = new Map([globalLock, perCpuAreas].map((s) => [s.name, s]));

/**
 * Look a strategy up by name.
 * @throws UnknownNameError listing the valid names.
 */
export function getStrategy(name: string): Strategy {
  const strategy = STRATEGIES.get(name);
  if (!strategy) throw new UnknownNameError('strategy', name, [...STRATEGIES.keys()]);
  return strategy;
}
