#!/usr/bin/env node
// `npx hopae-simulator` (and `npm run simulator`): the Hopae simulator alone.
// Options (each also from the environment, for the old `npm run simulator`):
//   --port 8090 (SIM_PORT)            --host 127.0.0.1 (SIM_HOST)
//   --client-id demo-client           --client-secret demo-secret
//   --qr phone|bankid (SIM_QR_MODE)   --public-url URL (SIM_PUBLIC_URL)
//   --webhook-url URL                 --webhook-secret whsec_simulator
//   --ttl-ms 1800000                  --no-require-user-data
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createSimulator } from "./simulator.js";

const HELP = `Usage: hopae-simulator [options]

A local stand-in for the Hopae Connect API (docs/simulator.md).

  --port <n>              port to listen on (default 8090; 0 = any free port)
  --host <addr>           address to bind (default 127.0.0.1; keep it on loopback)
  --client-id <id>        Basic auth client id (default demo-client)
  --client-secret <s>     Basic auth client secret (default demo-secret)
  --qr <phone|bankid>     QR payload: the phone page URL (default) or a BankID code
  --public-url <url>      base URL the phone page links use (default: the listen URL)
  --webhook-url <url>     deliver signed webhooks there
  --webhook-secret <s>    webhook signing secret (default whsec_simulator)
  --ttl-ms <ms>           session lifetime (default 1800000, 30 minutes)
  --no-require-user-data  accept Smart-ID, Mobile-ID, ... without userData
  -h, --help              this text
`;

export function parseCli(argv, env = process.env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      qr: { type: "string" },
      "public-url": { type: "string" },
      "webhook-url": { type: "string" },
      "webhook-secret": { type: "string" },
      "ttl-ms": { type: "string" },
      "no-require-user-data": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  const port = Number(values.port ?? env.SIM_PORT ?? 8090);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`--port must be 0 to 65535, not ${values.port}`);
  const options = {
    clientId: values["client-id"] ?? env.SIM_CLIENT_ID ?? "demo-client",
    clientSecret: values["client-secret"] ?? env.SIM_CLIENT_SECRET ?? "demo-secret",
    qrMode: values.qr ?? env.SIM_QR_MODE ?? "phone",
  };
  const publicUrl = values["public-url"] ?? env.SIM_PUBLIC_URL;
  if (publicUrl) options.publicUrl = publicUrl.replace(/\/+$/, "");
  if (values["webhook-url"]) options.webhookUrl = values["webhook-url"];
  if (values["webhook-secret"]) options.webhookSecret = values["webhook-secret"];
  if (values["ttl-ms"]) options.ttlMs = Number(values["ttl-ms"]);
  if (values["no-require-user-data"]) options.requireUserData = false;
  return { help: Boolean(values.help), port, host: values.host ?? env.SIM_HOST ?? "127.0.0.1", options };
}

async function main() {
  let cli;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (error) {
    console.error(`hopae-simulator: ${error.message}\n\n${HELP}`);
    process.exit(2);
  }
  if (cli.help) {
    console.log(HELP);
    return;
  }
  let sim;
  try {
    sim = await createSimulator(cli.options).listen(cli.port, cli.host);
  } catch (error) {
    console.error(`hopae-simulator: ${error.message}`);
    process.exit(1);
  }
  const { clientId, clientSecret } = sim.config;
  console.log(`Hopae simulator listening on ${sim.url}

  API root (current):  ${sim.apiBase}
  API root (guide):    ${sim.guideApiBase}
  Credentials:         ${clientId} / ${clientSecret}   (HTTP Basic)

Backend:  createVerificationHandler({ apiBase: "${sim.apiBase}", clientId: "${clientId}", clientSecret: "${clientSecret}" })

Control (no auth):
  GET  ${sim.url}/__sim/verifications                 list sessions
  POST ${sim.url}/__sim/verifications/{id}/complete   complete one (also fail, expire, cancel, action)
  GET  ${sim.url}/__sim/phone/{id}                    the phone page (approve / decline)
  POST ${sim.url}/__sim/config                        change settings
  POST ${sim.url}/__sim/faults                        inject a fault
${sim.config.webhookUrl ? `Webhooks: ${sim.config.webhookUrl} (signed with the configured secret)\n` : ""}Stop with Ctrl+C.`);
  const stop = () => sim.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

const invoked = (() => {
  try {
    return realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
})();
if (invoked) await main();
