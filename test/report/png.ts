/** Reading PNGs back in tests: size and the share of non-white pixels in a region. */
import { createCanvas, loadImage } from '@napi-rs/canvas';

/** A decoded PNG: its size in pixels and how much of a region is drawn on. */
export interface PngInk {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /**
   * Share (0-1) of pixels in the region (x, y, w, h in pixels, inside the
   * image) that are not near-white (any channel below 235) and not transparent.
   */
  ink(x: number, y: number, w: number, h: number): number;
}

/** Decode PNG bytes; rejects (from @napi-rs/canvas loadImage) when they are not an image. */
export async function readPng(bytes: Uint8Array): Promise<PngInk> {
  const image = await loadImage(Buffer.from(bytes));
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  return {
    width: image.width,
    height: image.height,
    ink(x, y, w, h) {
      const { data } = ctx.getImageData(x, y, w, h);
      let inked = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235)) inked++;
      return inked / (w * h);
    },
  };
}
