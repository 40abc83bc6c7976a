/**
 * Step 2 of the schedule: one global order of every map and unmap event
 * (time, then unmaps before maps, then mapping id). Events are encoded as
 * `mapping << 1` (map) and `mapping << 1 | 1` (unmap).
 */

/** Is `event` an unmap? */
export function isUnmap(event: number): boolean {
  return (event & 1) === 1;
}

/** The mapping an event belongs to. */
export function mappingOf(event: number): number {
  return event >> 1;
}

/**
 * Every event of `mapTime.length` mappings in the global order.
 * @param mapTime map time per mapping, ns; `unmapTime` likewise.
 */
export function globalOrder(mapTime: readonly number[], unmapTime: readonly number[]): Int32Array {
  const mappings = mapTime.length;
  const events = new Int32Array(mappings * 2);
  for (let m = 0; m < mappings; m++) {
    events[2 * m] = m << 1;
    events[2 * m + 1] = (m << 1) | 1;
  }
  const timeOf = (e: number) => (isUnmap(e) ? unmapTime[e >> 1] : mapTime[e >> 1]);
  events.sort((a, b) => timeOf(a) - timeOf(b) || (b & 1) - (a & 1) || (a >> 1) - (b >> 1));
  return events;
}
