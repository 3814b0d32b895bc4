// No orphaned, paid verifications: widgets mounted and destroyed at random
// moments (before, during and after the create request) leave no verification
// at the simulator that is neither completed nor cancelled. A create that
// answers after destroy() gets its DELETE from the widget.
//
// `npm test` runs 60 cycles; ORPHAN_CYCLES=3000 for the measured run.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { openDemo, sharedEnv } from "./helpers.mjs";

const CYCLES = Number(process.env.ORPHAN_CYCLES ?? 60);
const env = sharedEnv();

const summary = async () => (await fetch(`${env.demo.url}/__sim/summary`)).json();
const OPEN = new Set(["initiated", "pending", "awaiting_user_action", "authenticating", "processing"]);
const openCount = (byStatus) => Object.entries(byStatus).filter(([s]) => OPEN.has(s)).reduce((n, [, c]) => n + c, 0);

describe("orphaned verifications", () => {
  test(`${CYCLES} mount/destroy cycles leave every created verification cancelled`, { timeout: 60_000 + CYCLES * 200 }, async () => {
    await fetch(`${env.demo.url}/__sim/reset`, { method: "POST" });
    // Slow creates, so destroy() often lands while one is in flight.
    await env.control("/faults", { op: "create", kind: "delay", delayMs: 40, times: CYCLES });
    const { page, context } = await openDemo(env, { pollInterval: 300 });
    await page.waitForFunction(() => window.hopaeMount);
    await page.evaluate(async (cycles) => {
      window.demoHandle?.destroy();
      const el = document.getElementById("widget");
      for (let i = 0; i < cycles; i++) {
        const handle = await window.hopaeMount(el, { endpoint: "/api/verifications", providerId: "bankidse", pollInterval: 300 });
        // Destroy at a random moment: before, during or after the create.
        await new Promise((r) => setTimeout(r, Math.random() * 80));
        handle.destroy();
      }
    }, CYCLES);
    // Wait (a condition, bounded) for the last creates to answer and their DELETEs to land.
    let s = await summary();
    for (let i = 0; i < 200 && openCount(s.byStatus) > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      s = await summary();
    }
    const created = s.sessions;
    const cancelled = s.byStatus.cancelled ?? 0;
    console.log(`orphans: ${CYCLES} cycles, ${created} created, ${cancelled} cancelled, ${openCount(s.byStatus)} left open`);
    assert.ok(created > 0 && created <= CYCLES + 1, `created ${created}`); // +1: the demo page's own widget
    assert.equal(openCount(s.byStatus), 0, JSON.stringify(s.byStatus));
    await context.close();
  });
});
