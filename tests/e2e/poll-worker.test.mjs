// Status polls off the page's main thread: the widget's status requests are
// made by its dedicated Worker (dist/poll-worker.js) where one can start, and
// by the page otherwise, with the same outcome. Observed as a site would: the
// events, and the resource timing of the page and of the worker (a request
// appears in the timeline of whoever made it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { freshPage, sharedEnv, until } from "./helpers.mjs";

const env = sharedEnv();

const PAGE = (options, head = "") => `<!doctype html><html lang="en"><title>poll worker</title>${head}<body><div id="w"></div><script type="module">
  window.events = [];
  const el = document.getElementById("w");
  for (const t of ["hopae-initiated", "hopae-completed", "hopae-failed"]) el.addEventListener(t, (e) => window.events.push({ type: t, detail: e.detail }));
  const { mount } = await import("/dist/index.js");
  window.handle = await mount(el, { endpoint: "/api/verifications", providerId: "bankidse", pollInterval: 300, ...${JSON.stringify(options)} });
</script></body></html>`;

/** Opens a page mounting the widget with `options`, served with `csp` if any; `routes` first. */
async function open(options = {}, csp, { head, path = "/poll-worker-page.html", routes = {} } = {}) {
  const { page } = await freshPage(env);
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));
  for (const [pattern, handler] of Object.entries(routes)) await page.route(pattern, handler);
  await page.route(`${env.demo.url}${path}`, (route) =>
    route.fulfill({ contentType: "text/html", headers: csp ? { "Content-Security-Policy": csp } : {}, body: PAGE(options, head) }),
  );
  await page.goto(`${env.demo.url}${path}`);
  const id = await until(() => page.evaluate(() => window.events.find((e) => e.type === "hopae-initiated")?.detail.verificationId), 15_000, "hopae-initiated");
  return { page, id, errors };
}

/** Status requests for `id` in a timeline (the page's, or a worker's). */
const statusIn = (target, id) => target.evaluate((id) => performance.getEntriesByType("resource").filter((e) => e.name.endsWith(`/api/verifications/${id}`)).length, id);

/** Lets `polls` status polls pass, completes the verification, and returns the hopae-completed detail. */
async function complete(page, id, count) {
  await until(count, 10_000, "status polls");
  await env.control(`/verifications/${id}/complete`);
  return until(() => page.evaluate(() => window.events.find((e) => e.type === "hopae-completed")?.detail), 10_000, "hopae-completed");
}

test("status polls are made by the widget's worker, not the page, and the verification completes", { timeout: 40_000 }, async () => {
  const { page, id, errors } = await open();
  const worker = await until(() => page.workers().find((w) => w.url().endsWith("/dist/poll-worker.js")), 10_000, "the status worker");
  const done = await complete(page, id, async () => (await statusIn(worker, id)) >= 3);
  assert.equal(done.verificationId, id);
  // It starts once the create answered; a poll due before it is ready is made by the page.
  assert.ok((await statusIn(page, id)) <= 1, "the polls are the worker's");
  assert.equal(page.workers().length, 1, "one worker");
  assert.deepEqual(errors, []);
});

test("pollInWorker: false keeps the polls on the page; no worker is started", { timeout: 40_000 }, async () => {
  const { page, id, errors } = await open({ pollInWorker: false });
  const done = await complete(page, id, async () => (await statusIn(page, id)) >= 3);
  assert.equal(done.verificationId, id);
  assert.deepEqual(page.workers(), []);
  assert.deepEqual(errors, []);
});

test("a CSP that refuses workers: polls are made by the page, and the verification completes", { timeout: 40_000 }, async () => {
  const csp = "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; worker-src 'none'; style-src 'self'; connect-src 'self'";
  const { page, id, errors } = await open({}, csp);
  const done = await complete(page, id, async () => (await statusIn(page, id)) >= 3);
  assert.equal(done.verificationId, id);
  assert.deepEqual(page.workers(), []);
  // The browser reports the refused worker; nothing else goes wrong.
  assert.deepEqual(errors.filter((e) => !/worker/i.test(e)), []);
});

test("a path-relative endpoint under <base href>: the worker polls the URL the page would", { timeout: 40_000 }, async () => {
  const { page, id, errors } = await open({ endpoint: "verifications" }, undefined, {
    head: '<base href="/api/">',
    path: "/app/poll-worker-page.html",
  });
  const worker = await until(() => page.workers()[0], 10_000, "the status worker");
  const done = await complete(page, id, async () => (await statusIn(worker, id)) >= 3);
  assert.equal(done.verificationId, id);
  assert.deepEqual(errors, []);
});

test("no poll-worker.js where the module looks for it (a hand-copied build): the page polls, and the verification completes", { timeout: 40_000 }, async () => {
  const { page, id, errors } = await open({}, undefined, { routes: { "**/dist/poll-worker.js": (route) => route.fulfill({ status: 404, body: "" }) } });
  const done = await complete(page, id, async () => (await statusIn(page, id)) >= 3);
  assert.equal(done.verificationId, id);
  // The browser logs the failed request; nothing else goes wrong.
  assert.deepEqual(errors.filter((e) => !/404|poll-worker/i.test(e)), []);
});

test("pollInWorker must be a boolean: mount() says so", async () => {
  const { page } = await freshPage(env);
  await page.goto(`${env.demo.url}/`);
  const message = await page.evaluate(async () => {
    const { mount } = await import("/dist/index.js");
    return mount(document.createElement("div"), { endpoint: "/api/verifications", providerId: "bankidse", pollInWorker: "yes" }).then(() => "mounted", (e) => e.message);
  });
  assert.match(message, /pollInWorker.*true or false/);
});
