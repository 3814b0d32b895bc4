#!/usr/bin/env node
// `npm run simulator`: the Hopae simulator alone, on 127.0.0.1:SIM_PORT.
import { createServer } from "node:http";
import { createSimulator } from "./simulator.js";

const port = Number(process.env.SIM_PORT ?? 8090);
const host = process.env.SIM_HOST ?? "127.0.0.1";
const simulator = createSimulator({
  clientId: process.env.SIM_CLIENT_ID ?? "demo-client",
  clientSecret: process.env.SIM_CLIENT_SECRET ?? "demo-secret",
  publicUrl: process.env.SIM_PUBLIC_URL ?? `http://${host}:${port}`,
});
createServer(async (req, res) => {
  if (!(await simulator.handle(req, res))) {
    res.writeHead(404, { "Content-Type": "application/json" }).end('{"error":"not a simulator route"}');
  }
}).listen(port, host, () => console.log(`Hopae simulator on http://${host}:${port}: /connect/v1 (current API), /api/v1 (the guide's), control at /__sim/`));
