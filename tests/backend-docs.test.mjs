// Every ```js block of docs/production.md, docs/backend.md and
// docs/webhooks.md is type-checked against server/index.d.ts (runtime
// globals and frameworks the examples use are declared as small stubs), and
// the declarations themselves are checked against the implementation's
// exports. A renamed option or a wrong type in the docs fails here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import * as server from "../server/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const DOCS = ["docs/production.md", "docs/backend.md", "docs/webhooks.md"];

const STUBS = `
declare const process: { env: Record<string, string | undefined> };
declare const Deno: { env: { get(name: string): string | undefined }; serve(handler: (request: Request, info: { remoteAddr: { hostname: string; port: number; transport: string } }) => Response | Promise<Response>): unknown };
declare const Bun: { env: Record<string, string | undefined>; serve(options: { fetch(request: Request, server: { requestIP(request: Request): { address: string } | null }): Response | Promise<Response> }): unknown };
declare module "node:http" { export function createServer(listener: (req: any, res: any) => unknown): { listen(port: number): unknown } }
declare module "express" { const express: () => { use(h: (req: any, res: any, next: any) => unknown): void; listen(port: number): unknown }; export default express }
declare module "hono" { export class Hono { all(path: string, h: (c: { req: { raw: Request } }) => Response | Promise<Response>): this } }
declare module "hono/bun" { export function getConnInfo(c: unknown): { remote: { address?: string } } }
`;

function blocks(file) {
  const text = readFileSync(join(root, file), "utf8");
  return [...text.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], code: m[2] }));
}

test("every code block in the backend docs is js (type-checked here) or text", () => {
  for (const file of DOCS) {
    const found = blocks(file);
    assert.ok(found.length > 0, file);
    for (const b of found) assert.ok(["js", "text"].includes(b.lang), `${file}: a \`\`\`${b.lang} block`);
  }
});

test("the js blocks type-check against server/index.d.ts", () => {
  const dir = mkdtempSync(join(root, "tests/.docs-check-"));
  try {
    const files = [];
    for (const file of DOCS) {
      blocks(file).filter((b) => b.lang === "js").forEach((b, i) => {
        const name = `${file.replace(/\W/g, "_")}_${i}.js`;
        writeFileSync(join(dir, name), `// @ts-check\n${b.code}`);
        files.push(name);
      });
    }
    writeFileSync(join(dir, "stubs.d.ts"), STUBS);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          allowJs: true,
          checkJs: true,
          noEmit: true,
          strict: false,
          target: "ES2022",
          module: "ESNext",
          moduleResolution: "Bundler",
          lib: ["ES2022", "DOM"],
          skipLibCheck: true,
          types: [],
          paths: { "hopae-connect-widget/server": [join(root, "server/index.d.ts")], ioredis: [join(root, "node_modules/ioredis/built/index.d.ts")] },
        },
        files: ["stubs.d.ts", ...files],
      }),
    );
    try {
      execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(dir, "tsconfig.json")], { encoding: "utf8", stdio: "pipe" });
    } catch (error) {
      assert.fail(`tsc reported:\n${error.stdout}${error.stderr}`);
    }
    assert.ok(files.length >= 10, `${files.length} blocks checked`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("index.d.ts declares every export of server/index.js", () => {
  const dts = readFileSync(join(root, "server/index.d.ts"), "utf8");
  for (const name of Object.keys(server)) assert.match(dts, new RegExp(`export (function|const|interface|type) ${name}\\b`), name);
});

test("index.d.ts itself compiles under strict settings, and typical calls type-check", () => {
  const dir = mkdtempSync(join(root, "tests/.dts-check-"));
  try {
    writeFileSync(
      join(dir, "usage.ts"),
      `import { createVerificationHandler, createWebhookHandler, createMemoryStore, toNodeHandler, type CompletedVerification, type WebhookEvent } from "hopae-connect-widget/server";
const store = createMemoryStore();
const handler = createVerificationHandler({ clientId: "a", clientSecret: "b", store, trustProxy: 1, onCompleted: (v: CompletedVerification) => ({ "Set-Cookie": v.attributes.sub ?? "" }) });
const r: Promise<Response> = handler(new Request("https://x/api/verifications"), { clientAddress: "127.0.0.1" });
const hook = createWebhookHandler({ secret: "s", onEvent: (e: WebhookEvent) => void e.type });
const node = toNodeHandler(handler);
const base: string = handler.basePath;
// @ts-expect-error a misspelt option
createVerificationHandler({ clientId: "a", clientSecret: "b", ratelimit: 5 });
// @ts-expect-error the credentials are required
createVerificationHandler({ clientId: "a" });
export { r, hook, node, base };
`,
    );
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: "ES2022", module: "ESNext", moduleResolution: "Bundler", lib: ["ES2022", "DOM"], skipLibCheck: false, types: [], paths: { "hopae-connect-widget/server": [join(root, "server/index.d.ts")] } }, files: ["usage.ts"] }));
    try {
      execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(dir, "tsconfig.json")], { encoding: "utf8", stdio: "pipe" });
    } catch (error) {
      assert.fail(`tsc reported:\n${error.stdout}${error.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
