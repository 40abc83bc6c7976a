/** Where the report test's browser comes from: the npm package's Chromium, unless CHROMIUM_PATH names another. */
import { accessSync, constants } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_CACHE, findChromium } from './browser.js';

describe('findChromium', () => {
  it("uses the Chromium inside @sparticuz/chromium, unpacked inside the repository's node_modules", async () => {
    const path = await findChromium({});
    expect(path.startsWith(CHROMIUM_CACHE)).toBe(true);
    expect(() => accessSync(path, constants.X_OK)).not.toThrow();
  }, 60_000);

  it('takes CHROMIUM_PATH when it is an executable file, and refuses one that is not', async () => {
    expect(await findChromium({ CHROMIUM_PATH: process.execPath })).toBe(process.execPath);
    await expect(findChromium({ CHROMIUM_PATH: '/nonexistent/chrome' })).rejects.toThrow(/CHROMIUM_PATH=\/nonexistent\/chrome is not an executable file; unset it to use the Chromium of @sparticuz\/chromium/);
  });
});
