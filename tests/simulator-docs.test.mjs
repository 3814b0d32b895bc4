// Every code block of docs/simulator.md is exercised: ```js blocks run (with
// node --test when they use node:test), the ```ts block type-checks against
// server/simulator.d.ts, ```json blocks are posted to a simulator's control
// routes and accepted, and the webhook snippet verifies a real delivery and
// refuses a tampered one. ```text blocks are prose.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createSimulator } from "../server/simulator.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const markdown = readFileSync(join(root, "docs/simulator.md"), "utf8");
const blocks = [...markdown.matchAll(/^```(\w+)([^\n]*)\n([\s\S]*?)^```$/gm)].map(([, lang, info, code]) => ({ lang, info: info.trim(), code }));
// Inside the package, so `hopae-connect-widget/simulator` resolves by self-reference.
const scratch = join(root, "tests", ".docs-scratch");

before(() => mkdirSync(scratch, { recursive: true }));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe("docs/simulator.md", () => {
  test("has only blocks this test knows", () => {
    assert.ok(blocks.length >= 6);
    for (const b of blocks) assert.ok(["text", "js", "ts", "json"].includes(b.lang), `a \`\`\`${b.lang} block`);
  });

  test("the ```js test-suite example passes under node --test", () => {
    const examples = blocks.filter((b) => b.lang === "js" && !b.info);
    assert.equal(examples.length, 1);
    const file = join(scratch, "example.test.mjs");
    writeFileSync(file, examples[0].code);
    try {
      execFileSync(process.execPath, ["--test", file], { cwd: root, encoding: "utf8", stdio: "pipe", timeout: 30_000 });
    } catch (error) {
      assert.fail(`the example failed:\n${error.stdout}${error.stderr}`);
    }
  });

  test("the ```ts block type-checks against the declarations", () => {
    const ts = blocks.filter((b) => b.lang === "ts");
    assert.equal(ts.length, 1);
    // .mts: an ES module resolved through the package's own "exports" (self-reference).
    writeFileSync(join(scratch, "usage.mts"), ts[0].code);
    // Node's types are not installed: a minimal stand-in for the two it names.
    writeFileSync(join(scratch, "node-http.d.ts"), `declare module "node:http" { export interface IncomingMessage {} export interface ServerResponse {} }\n`);
    writeFileSync(join(scratch, "tsconfig.json"), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022", "DOM"], types: [] },
      files: ["node-http.d.ts", "usage.mts"],
    }));
    try {
      execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(scratch, "tsconfig.json")], { encoding: "utf8", stdio: "pipe" });
    } catch (error) {
      assert.fail(`tsc reported:\n${error.stdout}${error.stderr}`);
    }
  });

  test("the ```json settings and fault are accepted by a simulator", async () => {
    const sim = await createSimulator().listen();
    try {
      for (const [info, path] of [["sim-config", "/__sim/config"], ["sim-fault", "/__sim/faults"]]) {
        const block = blocks.find((b) => b.lang === "json" && b.info === info);
        assert.ok(block, info);
        const res = await fetch(`${sim.url}${path}`, { method: "POST", body: block.code });
        assert.equal(res.status, 200, `${info}: ${await res.clone().text()}`);
      }
      assert.equal(sim.config.qrMode, "phone");
      const auth = { Authorization: `Basic ${btoa("demo-client:demo-secret")}` };
      const { verificationId } = await (await fetch(`${sim.apiBase}/verifications`, { method: "POST", headers: auth, body: '{"providerId":"bankidse"}' })).json();
      assert.equal((await fetch(`${sim.apiBase}/verifications/${verificationId}`, { headers: auth })).status, 503, "the documented fault");
    } finally {
      await sim.close();
    }
  });

  test("the webhook snippet accepts a real delivery and refuses tampered, foreign and stale ones", async () => {
    const block = blocks.find((b) => b.lang === "js" && b.info === "verify-webhook");
    const file = join(scratch, "verify.mjs");
    writeFileSync(file, block.code);
    const { verifyHopaeSignature } = await import(pathToFileURL(file).href);
    let delivery;
    const arrived = new Promise((resolve) => {
      const server = createServer((req, res) => {
        const chunks = [];
        req.on("data", (c) => chunks.push(c)).on("end", () => {
          delivery = { body: Buffer.concat(chunks).toString("utf8"), header: req.headers["x-hopae-signature"] };
          res.writeHead(204).end();
          server.close();
          resolve();
        });
      }).listen(0, "127.0.0.1");
      server.once("listening", () => (receiverUrl.value = `http://127.0.0.1:${server.address().port}/`));
    });
    const receiverUrl = {};
    while (!receiverUrl.value) await new Promise((r) => setImmediate(r));
    const sim = await createSimulator({ webhookUrl: receiverUrl.value }).listen();
    try {
      await fetch(`${sim.apiBase}/verifications`, { method: "POST", headers: { Authorization: `Basic ${btoa("demo-client:demo-secret")}` }, body: '{"providerId":"bankidse"}' });
      await arrived;
      assert.equal(verifyHopaeSignature(delivery.body, delivery.header, "whsec_simulator"), true);
      assert.equal(verifyHopaeSignature(delivery.body.replace("bankidse", "mitid"), delivery.header, "whsec_simulator"), false, "tampered");
      assert.equal(verifyHopaeSignature(delivery.body, delivery.header, "another-secret"), false, "signed with another secret");
      assert.equal(verifyHopaeSignature(delivery.body, delivery.header, "whsec_simulator", Date.now() / 1000 + 301), false, "stale");
      assert.equal(verifyHopaeSignature(delivery.body, undefined, "whsec_simulator"), false, "unsigned");
    } finally {
      await sim.webhooksSettled();
      await sim.close();
    }
  });
});
