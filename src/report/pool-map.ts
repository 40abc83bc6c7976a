/**
 * pool-map.png: the pool itself. One block per slot, one line of blocks per
 * segment (IO_TLB_SEGSIZE = 128 slots), segments of an area together under
 * the area's label, areas and pools separated; colours for free, used and
 * padding (pad_slots).
 *
 * {@link paintPoolMap} uses nothing outside itself, so the HTML report inlines
 * its source text and draws the same picture in the browser.
 */

/** One pool to draw: slot states as in bench/pool-snapshot.ts (0 free, 1 used, 2 padding). */
export interface PoolMapPool {
  label: string;
  nslabs: number;
  nareas: number;
  states: Uint8Array;
}

/** One panel: a title and the pools of one snapshot. */
export interface PoolMapPanel {
  title: string;
  pools: PoolMapPool[];
}

/** The 2D-context calls the painter makes (a browser context and napi-rs's both have them). */
export interface Painter2D {
  fillStyle: string | CanvasGradientLike;
  font: string;
  textAlign: string;
  textBaseline: string;
  fillRect(x: number, y: number, w: number, h: number): void;
  fillText(text: string, x: number, y: number): void;
}
type CanvasGradientLike = object;

/** Where {@link paintPoolMap} put each area, for finding the slot under a pointer ({@link slotAt}). */
export interface PoolMapLayout {
  /** Left edge of the first segment column, px. */
  x0: number;
  /** Slot block width and segment-line height, px. */
  bw: number;
  bh: number;
  /** Segment columns per line, and the px from one column's start to the next. */
  cols: number;
  colStep: number;
  areas: { label: string; y: number; start: number; slots: number; states: Uint8Array }[];
}

/**
 * Height (px) at which a panel of `width` px shows every segment line 3 px
 * tall with 2-px slot blocks, within 160..1600 px.
 */
export function poolMapHeight(panel: { pools: { nslabs: number; nareas: number }[] }, width: number): number {
  const areas = panel.pools.reduce((n, p) => n + p.nareas, 0);
  const gutter = areas <= 64 ? 100 : 0;
  const cols = Math.max(1, Math.floor((width - 16 - gutter + 6) / (128 * 2 + 6)));
  let blocks = 0;
  for (const p of panel.pools) blocks += p.nareas * (Math.max(gutter ? 13 : 0, 3 * Math.ceil(Math.ceil(p.nslabs / p.nareas / 128) / cols)) + 3);
  return Math.min(1600, Math.max(160, 42 + blocks + panel.pools.length * 4 + 10));
}

/** Paint `panel` into a `width` x `height` px area of `ctx`, top-left at (0, 0). */
export function paintPoolMap(ctx: Painter2D, panel: PoolMapPanel, width: number, height: number): PoolMapLayout {
  const SEG = 128;
  const COLOURS = ['#e6e6e6', '#1f77b4', '#ff7f0e'];
  const NAMES = ['free', 'used', 'padding (pad_slots)'];
  const margin = 8;
  const top = 42;
  const gap = 6;
  const areaGap = 3;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#222222';
  ctx.font = 'bold 13px sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillText(panel.title, margin, 4);
  ctx.font = '12px sans-serif';
  let lx = margin;
  for (let k = 0; k < COLOURS.length; k++) {
    ctx.fillStyle = COLOURS[k];
    ctx.fillRect(lx, 24, 12, 12);
    ctx.fillStyle = '#222222';
    ctx.fillText(NAMES[k], lx + 16, 24);
    lx += 24 + NAMES[k].length * 6.5;
  }
  // Areas in pool order; each is a block of segment lines with its label in a left gutter.
  const areas: { label: string; start: number; slots: number; states: Uint8Array; firstOfPool: boolean }[] = [];
  for (const pool of panel.pools) {
    const per = Math.floor(pool.nslabs / pool.nareas);
    for (let a = 0; a < pool.nareas; a++) {
      // As areaLabel() in bench/pool-snapshot.ts (this function must stay self-contained).
      const prefix = pool.label === 'pool' ? '' : `${pool.label}, `;
      areas.push({ label: `${prefix}area ${a}`, start: a * per, slots: per, states: pool.states, firstOfPool: a === 0 });
    }
  }
  const labelH = areas.length <= 64 ? 13 : 0;
  const gutter = labelH ? 100 : 0;
  const room = height - top - margin - areas.length * areaGap - panel.pools.length * 4;
  // The largest slot block (bw x bh px) that fits; ties favour taller lines.
  let best = { bw: 1, bh: 1, cols: 1, score: -1 };
  for (let bw = 6; bw >= 1; bw--) {
    const cols = Math.max(1, Math.floor((width - 2 * margin - gutter + gap) / (SEG * bw + gap)));
    for (let bh = 8; bh >= 1; bh--) {
      let need = 0;
      for (const a of areas) need += Math.max(labelH, Math.ceil(Math.ceil(a.slots / SEG) / cols) * bh);
      if (need > room) continue;
      const score = Math.min(bw, bh) * 10 + bh;
      if (score > best.score) best = { bw, bh, cols, score };
      break;
    }
  }
  const { bw, bh, cols } = best;
  const layout: PoolMapLayout = { x0: margin + gutter, bw, bh, cols, colStep: SEG * bw + gap, areas: [] };
  let y = top;
  for (const [k, a] of areas.entries()) {
    if (y + bh > height) {
      ctx.fillStyle = '#b00020';
      ctx.font = '11px sans-serif';
      ctx.fillText(`${areas.length - k} more areas not shown`, margin, height - 14);
      break;
    }
    if (a.firstOfPool && y > top) y += 4;
    const segs = Math.ceil(a.slots / SEG);
    const lines = Math.ceil(segs / cols);
    layout.areas.push({ label: a.label, y, start: a.start, slots: a.slots, states: a.states });
    if (labelH) {
      ctx.fillStyle = '#444444';
      ctx.font = '11px sans-serif';
      ctx.fillText(a.label, margin, y);
    }
    for (let s = 0; s < segs; s++) {
      const x0 = margin + gutter + (s % cols) * (SEG * bw + gap);
      const y0 = y + Math.floor(s / cols) * bh;
      if (y0 + bh > height) break;
      const end = Math.min(SEG, a.slots - s * SEG);
      // One fillRect per run of equal states keeps big pools cheap to draw.
      let runStart = 0;
      for (let i = 1; i <= end; i++) {
        const st = a.states[a.start + s * SEG + runStart];
        if (i < end && a.states[a.start + s * SEG + i] === st) continue;
        ctx.fillStyle = COLOURS[st] ?? '#000000';
        ctx.fillRect(x0 + runStart * bw, y0, (i - runStart) * bw, Math.max(1, bh - (bh > 2 ? 1 : 0)));
        runStart = i;
      }
    }
    y += Math.max(labelH, lines * bh) + areaGap;
  }
  return layout;
}

/**
 * The slot under pixel (x, y) of a painted pool map, in words
 * (`node 0, area 1: slot 1234 (segment 9, slot 82 of 128): used`), or null
 * between blocks. Self-contained like {@link paintPoolMap}.
 */
export function slotAt(layout: PoolMapLayout, x: number, y: number): string | null {
  const SEG = 128;
  const NAMES = ['free', 'used', 'padding (pad_slots)'];
  const col = Math.floor((x - layout.x0) / layout.colStep);
  const inCol = Math.floor((x - layout.x0 - col * layout.colStep) / layout.bw);
  if (col < 0 || col >= layout.cols || inCol < 0 || inCol >= SEG) return null;
  for (const a of layout.areas) {
    const line = Math.floor((y - a.y) / layout.bh);
    const segment = line * layout.cols + col;
    if (line < 0 || segment * SEG + inCol >= a.slots) continue;
    const slot = a.start + segment * SEG + inCol;
    const absSegment = Math.floor(slot / SEG);
    return `${a.label}: slot ${slot} (segment ${absSegment}, slot ${slot % SEG} of ${SEG}): ${NAMES[a.states[slot]] ?? 'unknown'}`;
  }
  return null;
}
