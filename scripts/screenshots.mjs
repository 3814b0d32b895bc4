// Regenerates the README's screenshots (docs/widget-light.png, docs/widget-dark.png)
// from headless Chromium against the demo and the simulator: `npm run screenshots`.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setup, openDemo, waitForEvent } from "../tests/e2e/helpers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const env = await setup();
try {
  for (const colorScheme of ["light", "dark"]) {
    const { page, context } = await openDemo(env, {}, { colorScheme, deviceScaleFactor: 2, viewport: { width: 720, height: 900 } });
    await waitForEvent(page, "hopae-initiated");
    await page.waitForTimeout(300);
    const file = join(root, "docs", `widget-${colorScheme}.png`);
    await page.locator("#widget").screenshot({ path: file, omitBackground: false });
    console.log(`wrote ${file}`);
    await context.close();
  }
} finally {
  await env.close();
}
