// Never crash, and run at the edge. Odd request lines (`//`, `/\`, TRACE,
// absolute-form, over-long targets) get an answer from the handler, the Node
// adapter and the demo server, which then still serves; and server/index.js
// runs with no `node:` module and no Buffer, as on Workers, Deno or Vercel Edge.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { startDemo } from "../server/demo.js";
import { createVerificationHandler, toNodeHandler } from "../server/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Sends raw bytes, resolves to the status line's code (or "closed"). */
function raw(port, text) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.setTimeout(5000, () => {
      socket.destroy();
      reject(new Error(`no answer to ${JSON.stringify(text.slice(0, 60))}`));
    });
    socket.on("data", (d) => {
      data += d;
      const m = data.match(/^HTTP\/1\.1 (\d{3})/);
      if (m) {
        socket.destroy();
        resolve(Number(m[1]));
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(data.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ? Number(data.match(/^HTTP\/1\.1 (\d{3})/)[1]) : "closed"));
    socket.end(text);
  });
}

const ODD = [
  ["GET // HTTP/1.1", [400, 404]],
  ["GET /\\ HTTP/1.1", [400, 404]],
  ["GET //api/verifications HTTP/1.1", [400, 404]],
  ["GET /api/verifications//x HTTP/1.1", [400, 404]],
  ["TRACE / HTTP/1.1", [405]],
  ["TRACE /api/verifications HTTP/1.1", [405]],
  ["GET http://evil.example/api/verifications HTTP/1.1", [400]],
  ["GET * HTTP/1.1", [400]],
  [`GET /${"a".repeat(9000)} HTTP/1.1`, [414, 431]],
  [`GET /api/verifications/${"a".repeat(9000)} HTTP/1.1`, [414, 431]],
  ["POST /api/verifications/%ZZ HTTP/1.1", [404, 405]],
];

async function checkServer(port, stillServes) {
  for (const [line, want] of ODD) {
    const status = await raw(port, `${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    assert.ok(want.includes(status), `${line.slice(0, 60)} -> ${status}`);
  }
  assert.ok(want400(await raw(port, "GET /api/verifications HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n")), "a bad Host");
  assert.ok(want400(await raw(port, "GET /api/verifications HTTP/1.1\r\nHost: evil.example/x?\r\nConnection: close\r\n\r\n")), "a Host with a path");
  await stillServes();
}
const want400 = (s) => s === 400;

describe("never crash", () => {
  test("the demo server answers every odd request line and keeps serving", async () => {
    const demo = await startDemo({ port: 0 });
    try {
      const port = demo.server.address().port;
      await checkServer(port, async () => {
        const res = await fetch(`${demo.url}/api/verifications`, { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"providerId":"bankidse"}' });
        assert.equal(res.status, 201);
      });
    } finally {
      await demo.close();
    }
  });

  test("toNodeHandler under a plain http server answers them too", async () => {
    const handler = createVerificationHandler({ clientId: "a", clientSecret: "b", apiBase: "http://127.0.0.1:9/v1" });
    const server = createServer(toNodeHandler(handler));
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    try {
      await checkServer(server.address().port, async () => {
        const res = await fetch(`http://127.0.0.1:${server.address().port}/api/verifications`, { method: "PUT" });
        assert.equal(res.status, 405);
      });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  test("the handler answers every method and path", async () => {
    const handler = createVerificationHandler({ clientId: "a", clientSecret: "b", apiBase: "http://127.0.0.1:9/v1" });
    for (const method of ["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS", "POST", "PROPFIND"]) {
      for (const path of ["/", "/api/verifications", "/api/verifications/", "/api/verifications/x", "/api/verifications/x/y", "/api/verifications/%00", `/api/verifications/${"z".repeat(3000)}`]) {
        const res = await handler(new Request(`http://shop.example${path}`, { method }));
        assert.ok(res.status >= 200 && res.status < 500 && res.status !== 500, `${method} ${path}: ${res.status}`);
      }
    }
  });
});

describe("edge-ready", () => {
  test("server/index.js loads and serves with no Buffer use and every node: import refused", async () => {
    const hooks = `data:text/javascript,${encodeURIComponent(`
      export async function resolve(specifier, context, next) {
        if (specifier.startsWith("node:") || ["crypto","buffer","stream","http","fs","net","path","url","util","events"].includes(specifier)) {
          throw new Error("refused import of " + specifier);
        }
        return next(specifier, context);
      }`)}`;
    const script = `
      import { register } from "node:module";
      register(${JSON.stringify(hooks)});
      // Node's own fetch (undici) reads the global Buffer itself; only reads from server/ are refused.
      const RealBuffer = globalThis.Buffer;
      Object.defineProperty(globalThis, "Buffer", {
        get() {
          const caller = new Error().stack.split(String.fromCharCode(10))[2] ?? "";
          if (caller.includes("/server/")) throw new Error("server/ used Buffer: " + caller.trim());
          return RealBuffer;
        },
      });
      const { createVerificationHandler, createWebhookHandler, createMemoryStore } = await import(${JSON.stringify(join(root, "server/index.js"))}).catch(async (e) => { throw e; });
      const upstream = async (url, init) => new Response(JSON.stringify({ verificationId: "v1", status: "initiated", providerId: "bankidse", flowType: "qr", flowDetails: { qrData: "q" } }), { status: 201, headers: { "Content-Type": "application/json" } });
      await import("node:crypto").then(() => { throw new Error("the loader hook does not refuse node: imports"); }, () => {});
      const h = createVerificationHandler({ clientId: "id", clientSecret: "sécret", apiBase: "https://hopae.test/connect/v1", fetch: upstream });
      const created = await h(new Request("https://shop.example/api/verifications", { method: "POST", body: '{"providerId":"bankidse"}' }));
      const cookie = created.headers.get("set-cookie").split(";")[0];
      const read = await h(new Request("https://shop.example/api/verifications/v1", { headers: { Cookie: cookie } }));
      const w = createWebhookHandler({ secret: "s", onEvent() {} });
      const unsigned = await w(new Request("https://shop.example/hooks", { method: "POST", body: "{}" }));
      console.log(JSON.stringify({ created: created.status, read: read.status, webhook: unsigned.status, nodeImports: "refused" }));
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const code = await new Promise((r) => child.on("exit", r));
    assert.equal(code, 0, err);
    assert.deepEqual(JSON.parse(out.trim().split("\n").at(-1)), { created: 201, read: 200, webhook: 400, nodeImports: "refused" });
  });
});
