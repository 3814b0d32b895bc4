// Contract tests: every answer the Hopae simulator gives, in both API
// generations, is checked against the schemas of Hopae's OpenAPI document
// (tests/contract/hconnect-verifications.openapi.json, a copy of
// ../shared/hopae/) and, for errors, against the problem shapes of
// problem-types.yml.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { createSimulator, PROVIDERS, STATUSES } from "../server/simulator.js";

/** Valid userData for the providers that require it (the examples of docs.hopae.com/api-reference/verifications/user-data-requirements). */
export const USER_DATA_EXAMPLES = {
  smartid: { registrationId: "PNOEE-38001085718" },
  skmobileid: { phoneNumber: "+37268000769", nationalIdentityNumber: "60001017869" },
  audkenni: { registrationId: "1201743399" },
  evrotrust: { identificationNumber: "1234567890", country: "BG" },
};

const openapi = openApiToJsonSchema(JSON.parse(readFileSync(new URL("./contract/hconnect-verifications.openapi.json", import.meta.url))));
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(openapi, "openapi");
const pointer = (path) => path.replaceAll("~", "~0").replaceAll("/", "~1");
const schema = (ref) => {
  const validate = ajv.getSchema(`openapi#${ref}`);
  assert.ok(validate, `schema ${ref} exists`);
  return validate;
};
const responseSchema = (path, method, status) => schema(`/paths/${pointer(path)}/${method}/responses/${status}/content/application~1json/schema`);
const component = (name) => schema(`/components/schemas/${name}`);

/** The two error shapes: RFC 7807 (problem-types.yml's envelope) and {error:{code,message}}. */
const problemSchema = ajv.compile({
  type: "object",
  required: ["type", "title", "status", "detail"],
  properties: {
    type: { type: "string", minLength: 1 },
    title: { type: "string", pattern: "^[A-Z]+[._][A-Z_]+$" },
    status: { type: "integer", minimum: 400, maximum: 599 },
    detail: { type: "string" },
    instance: { type: "string" },
    timestamp: { type: "string", format: "date-time" },
    code: { type: "integer", minimum: 100000, maximum: 599999 },
    doc_url: { type: "string" },
  },
});
const envelopeSchema = ajv.compile({
  type: "object",
  required: ["error"],
  properties: { error: { type: "object", required: ["code", "message"], properties: { code: { type: ["string", "integer"] }, message: { type: "string" } } } },
});

function check(validate, body, what) {
  assert.ok(validate(body), `${what}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`);
}

let sim;
let server;
let base;
before(async () => {
  sim = createSimulator({ clientId: "ci", clientSecret: "s3cret" });
  server = createServer(async (req, res) => (await sim.handle(req, res)) || res.writeHead(404).end());
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}`;
  sim.config.publicUrl = base;
});
after(() => new Promise((r) => { server.closeAllConnections(); server.close(r); }));

const AUTH = { Authorization: `Basic ${Buffer.from("ci:s3cret").toString("base64")}` };
const GENERATIONS = { guide: "/api/v1", current: "/connect/v1" };

async function call(gen, method, path, body, headers = AUTH) {
  const res = await fetch(base + GENERATIONS[gen] + path, {
    method,
    headers: { ...headers, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

const control = (path, body) => fetch(`${base}/__sim${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body ?? {}) }).then((r) => r.json());

function checkError(gen, res, status, code, name) {
  assert.equal(res.status, status, `${name}: HTTP ${res.status} ${res.text}`);
  if (sim.config.errorStyle === "envelope") {
    check(envelopeSchema, res.json, name);
    assert.equal(res.json.error.code, gen === "guide" ? code : name);
    return;
  }
  check(problemSchema, res.json, name);
  assert.equal(res.json.status, status);
  if (gen === "guide") {
    assert.equal(res.json.code, code);
    assert.match(res.json.type, new RegExp(`problem-type:client/${code}$`));
    assert.equal(res.json.title.replace(".", "_"), name);
  } else {
    assert.equal(res.json.title, name);
  }
  assert.match(res.headers.get("content-type"), /application\/problem\+json/);
}

for (const gen of ["guide", "current"]) {
  const createSchemas = gen === "guide" ? [responseSchema("/v1/verifications", "post", 201)] : [responseSchema("/v1/verifications", "post", 201), component("CreateVerificationResponseDto")];
  const statusSchemas = gen === "guide" ? [responseSchema("/v1/verifications/{verificationId}", "get", 200)] : [responseSchema("/v1/verifications/{verificationId}", "get", 200), component("GetVerificationResponseDto")];

  describe(`${gen} generation (${GENERATIONS[gen]})`, () => {
    test("create answers 201 in the documented shape for every flow", async () => {
      // The guide predates the dc flow (its CreateVerificationResponse enum has no "dc").
      for (const [providerId, provider] of Object.entries(PROVIDERS).filter(([, p]) => p.enabled && (gen === "current" || p.flowType !== "dc"))) {
        const res = await call(gen, "POST", "/verifications", { providerId, userData: USER_DATA_EXAMPLES[providerId] });
        assert.equal(res.status, 201, `${providerId}: ${res.text}`);
        // Contradiction in Hopae's OpenAPI: the path's 201 schema (CreateVerificationResponse)
        // lists flowType qr|redirect|push, CreateVerificationResponseDto adds "dc". A dc
        // answer is checked against the DTO only.
        for (const validate of provider.flowType === "dc" ? createSchemas.slice(1) : createSchemas) check(validate, res.json, `create ${providerId}`);
        assert.equal(res.json.flowType, provider.flowType);
        const fd = res.json.flowDetails;
        if (provider.flowType === "qr") assert.match(fd.qrData, /^bankid\./);
        if (provider.flowType === "push") assert.ok(fd.message && /^\d{4}$/.test(fd.verificationCode));
        if (provider.flowType === "redirect") assert.ok(new URL(fd.authorizationUrl));
        if (provider.flowType === "dc") assert.ok(new URL(fd.linkData), "without native mode, no wallet payload: a cross-device link");
        assert.equal(res.json.polling.recommendedInterval, 3000);
        assert.ok(Date.parse(res.json.expiresAt) - Date.parse(res.json.createdAt) === sim.config.ttlMs);
      }
    });

    test("status answers 200 in the documented shape for every status", async () => {
      for (const status of STATUSES) {
        const { json: created } = await call(gen, "POST", "/verifications", { providerId: "bankidse" });
        if (status !== "initiated") await control(`/verifications/${created.verificationId}/status`, { status });
        const res = await call(gen, "GET", `/verifications/${created.verificationId}`);
        assert.equal(res.status, 200);
        for (const validate of statusSchemas) check(validate, res.json, `status ${status}`);
        // The current generation has no "pending" in its enum: it reports "initiated".
        assert.equal(res.json.status, gen === "current" && status === "pending" ? "initiated" : status);
        if (status === "completed") {
          assert.match(res.json.verifiedAt, /Z$/);
          if (gen === "guide") assert.equal(res.json.verifiedAttributes.given_name, "Anders");
          else assert.equal(res.json.verifiedAttributes, undefined, "no personal data in the current status body");
        }
        if (status === "failed") assert.equal(res.json.error.code, "USER_DECLINED");
        if (["completed", "failed", "expired", "cancelled"].includes(status)) assert.equal(res.json.flowDetails, undefined);
      }
    });

    test("sessions expire by the clock at expiresAt", async () => {
      await control("/config", { ttlMs: 200 });
      try {
        const { json } = await call(gen, "POST", "/verifications", { providerId: "frejaid" });
        assert.equal((await call(gen, "GET", `/verifications/${json.verificationId}`)).json.status, "initiated");
        await new Promise((r) => setTimeout(r, 250));
        const res = await call(gen, "GET", `/verifications/${json.verificationId}`);
        assert.equal(res.json.status, "expired");
        for (const validate of statusSchemas) check(validate, res.json, "expired");
      } finally {
        await control("/config", { ttlMs: 1_800_000 });
      }
    });

    test("cancel: 204, then the ended-session error; unknown ids are 404", async () => {
      const { json } = await call(gen, "POST", "/verifications", { providerId: "smartid", userData: USER_DATA_EXAMPLES.smartid });
      const first = await call(gen, "DELETE", `/verifications/${json.verificationId}`);
      assert.equal(first.status, 204);
      assert.equal(first.text, "");
      assert.equal((await call(gen, "GET", `/verifications/${json.verificationId}`)).json.status, "cancelled");
      checkError(gen, await call(gen, "DELETE", `/verifications/${json.verificationId}`), gen === "guide" ? 400 : 409, 300003, "SESSION_INVALID_STATUS_TRANSITION");
      checkError(gen, await call(gen, "DELETE", "/verifications/nope"), 404, 300001, "SESSION_NOT_FOUND");
      checkError(gen, await call(gen, "GET", "/verifications/nope"), 404, 300001, "SESSION_NOT_FOUND");
    });

    test("every call needs the right Basic credentials", async () => {
      for (const headers of [{}, { Authorization: "Basic " + Buffer.from("ci:wrong").toString("base64") }, { Authorization: "Bearer s3cret" }]) {
        checkError(gen, await call(gen, "POST", "/verifications", { providerId: "bankidse" }, headers), 401, 100001, "AUTH_INVALID_CREDENTIALS");
        checkError(gen, await call(gen, "GET", "/verifications/x", undefined, headers), 401, 100001, "AUTH_INVALID_CREDENTIALS");
        checkError(gen, await call(gen, "GET", "/providers", undefined, headers), 401, 100001, "AUTH_INVALID_CREDENTIALS");
      }
    });

    test("validation and provider errors", async () => {
      // The guide's catalogue: 200001 Missing Parameter, 200002 Invalid Parameter.
      checkError(gen, await call(gen, "POST", "/verifications", "{not json"), 400, 200002, "VALIDATION_INVALID_PARAMETER");
      checkError(gen, await call(gen, "POST", "/verifications", {}), 400, 200001, "VALIDATION_MISSING_PARAMETER");
      checkError(gen, await call(gen, "POST", "/verifications", { providerId: 7 }), 400, 200002, "VALIDATION_INVALID_PARAMETER");
      checkError(gen, await call(gen, "POST", "/verifications", { providerId: "nosuch" }), 404, 400001, "PROVIDER_NOT_FOUND");
      checkError(gen, await call(gen, "POST", "/verifications", { providerId: "idin" }), gen === "guide" ? 400 : 403, 400002, "PROVIDER_NOT_ENABLED");
    });

    test("errors in the {error:{code,message}} envelope when switched", async () => {
      await control("/config", { errorStyle: "envelope" });
      try {
        checkError(gen, await call(gen, "GET", "/verifications/nope"), 404, 300001, "SESSION_NOT_FOUND");
        checkError(gen, await call(gen, "POST", "/verifications", { providerId: "idin" }), gen === "guide" ? 400 : 403, 400002, "PROVIDER_NOT_ENABLED");
        checkError(gen, await call(gen, "GET", "/verifications/x", undefined, {}), 401, 100001, "AUTH_INVALID_CREDENTIALS");
      } finally {
        await control("/config", { errorStyle: "problem" });
      }
    });

    test("the provider list", async () => {
      const res = await call(gen, "GET", "/providers");
      assert.equal(res.status, 200);
      check(responseSchema("/v1/providers", "get", 200), res.json, "providers");
      assert.deepEqual(res.json.map((p) => p.id).sort(), Object.keys(PROVIDERS).sort());
      assert.equal(res.json.find((p) => p.id === "idin").status, "deactivated");
    });
  });
}

describe("userinfo (current generation)", () => {
  test("has the personal data once completed, and the documented 400 before", async () => {
    const { json } = await call("current", "POST", "/verifications", { providerId: "bankidse" });
    const early = await call("current", "GET", `/verifications/${json.verificationId}/userinfo`);
    assert.equal(early.status, 400);
    check(envelopeSchema, early.json, "userinfo before completion");
    assert.equal(early.json.error.code, "verification_not_completed");
    await control(`/verifications/${json.verificationId}/complete`);
    const res = await call("current", "GET", `/verifications/${json.verificationId}/userinfo`);
    assert.equal(res.status, 200);
    check(responseSchema("/v1/verifications/{verificationId}/userinfo", "get", 200), res.json, "userinfo");
    assert.equal(res.json.user.family_name, "Eriksson");
    assert.equal(res.json.provider_id, "bankidse");
    assert.equal((await call("guide", "GET", `/verifications/${json.verificationId}/userinfo`)).status, 404, "the guide generation has no userinfo route");
  });
});

describe("fault switches", () => {
  const faulty = async (fault, gen = "current") => {
    const { json } = await call(gen, "POST", "/verifications", { providerId: "bankidse" });
    await control("/faults", { times: 1, verificationId: json.verificationId, ...fault });
    return { id: json.verificationId, res: await call(gen, "GET", `/verifications/${json.verificationId}`) };
  };

  for (const status of [500, 502, 503]) {
    test(`HTTP ${status}, in the problem shape, once`, async () => {
      for (const gen of ["guide", "current"]) {
        const { id, res } = await faulty({ op: "status", kind: "http", status }, gen);
        assert.equal(res.status, status);
        check(problemSchema, res.json, `${status}`);
        assert.equal((await call(gen, "GET", `/verifications/${id}`)).status, 200, "times: 1 means once");
      }
    });
  }

  test("429 with Retry-After", async () => {
    const { res } = await faulty({ op: "status", kind: "rate-limit", retryAfter: 7 });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after"), "7");
    check(problemSchema, res.json, "429");
  });

  test("a connection reset", async () => {
    await assert.rejects(faulty({ op: "status", kind: "reset" }), /fetch failed/);
  });

  test("a delay", async () => {
    const started = Date.now();
    const { res } = await faulty({ op: "status", kind: "delay", delayMs: 300 });
    assert.equal(res.status, 200);
    assert.ok(Date.now() - started >= 300);
  });

  test("a body that is not JSON, and JSON of the wrong shape", async () => {
    const html = (await faulty({ op: "status", kind: "not-json" })).res;
    assert.equal(html.status, 200);
    assert.equal(html.json, undefined);
    assert.match(html.headers.get("content-type"), /text\/html/);
    const wrong = (await faulty({ op: "status", kind: "wrong-shape" })).res;
    assert.equal(wrong.status, 200);
    assert.ok(!statusValid(wrong.json), "not a status response");
  });

  test("an unknown status string", async () => {
    const { res } = await faulty({ op: "status", kind: "unknown-status", value: "on_hold" });
    assert.equal(res.json.status, "on_hold");
  });

  test("a disabled or unavailable provider on create", async () => {
    for (const [kind, status, code, name] of [["provider-disabled", 403, 400002, "PROVIDER_NOT_ENABLED"], ["provider-unavailable", 503, 400005, "PROVIDER_UNAVAILABLE"]]) {
      await control("/faults", { op: "create", kind, times: 1 });
      checkError("current", await call("current", "POST", "/verifications", { providerId: "bankidse" }), status, code, name);
      await control("/faults", { op: "create", kind, times: 1 });
      checkError("guide", await call("guide", "POST", "/verifications", { providerId: "bankidse" }), kind === "provider-disabled" ? 400 : 503, code, name);
    }
  });

  test("an animated qrData is time-based (BankID's seconds since start), per session or for all", async () => {
    const { json } = await call("current", "POST", "/verifications", { providerId: "bankidse" });
    const read = async () => (await call("current", "GET", `/verifications/${json.verificationId}`)).json.flowDetails.qrData;
    assert.equal(await read(), await read(), "static by default");
    await control(`/verifications/${json.verificationId}/config`, { animatedQr: true });
    const first = await read();
    assert.match(first, /^bankid\.[0-9a-f-]{36}\.\d+\.[0-9a-f]{64}$/);
    // Wait (bounded) for the next second: a new code without any other poll in between mattering.
    let next = first;
    for (const deadline = Date.now() + 3000; next === first && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 50));
      next = await read();
    }
    assert.notEqual(next, first, "a new code once a second has passed");
    assert.equal(Number(next.split(".")[2]), Number(first.split(".")[2]) + 1, "the number is whole seconds since start");
    await control("/config", { animatedQr: true });
    try {
      const other = await call("current", "POST", "/verifications", { providerId: "frejaid" });
      assert.match(other.json.flowDetails.qrData, /^bankid\.[0-9a-f-]{36}\.0\.[0-9a-f]{64}$/, "0 seconds at the start");
    } finally {
      await control("/config", { animatedQr: false });
    }
  });

  test("a fault for one session leaves the others alone", async () => {
    const { json: other } = await call("current", "POST", "/verifications", { providerId: "bankidse" });
    const { json } = await call("current", "POST", "/verifications", { providerId: "bankidse" });
    await control("/faults", { op: "status", kind: "http", status: 500, verificationId: json.verificationId });
    assert.equal((await call("current", "GET", `/verifications/${other.verificationId}`)).status, 200);
    assert.equal((await call("current", "GET", `/verifications/${json.verificationId}`)).status, 500);
    assert.equal((await call("current", "GET", `/verifications/${json.verificationId}`)).status, 500);
    await fetch(`${base}/__sim/faults`, { method: "DELETE" });
    assert.equal((await call("current", "GET", `/verifications/${json.verificationId}`)).status, 200);
  });

  test("an unknown fault kind is refused", async () => {
    const res = await fetch(`${base}/__sim/faults`, { method: "POST", body: JSON.stringify({ kind: "gremlins" }) });
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, /rate-limit/);
  });
});

function statusValid(body) {
  return component("GetVerificationResponseDto")(body);
}

/**
 * OpenAPI 3.0's `nullable: true` beside `allOf` (no `type`) is not JSON
 * Schema; Ajv only accepts it next to `type`. Rewrite it as `anyOf` with null.
 */
function openApiToJsonSchema(node) {
  if (Array.isArray(node)) return node.map(openApiToJsonSchema);
  if (!node || typeof node !== "object") return node;
  const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, openApiToJsonSchema(v)]));
  if (out.nullable === true && out.type === undefined) {
    delete out.nullable;
    const { description, ...rest } = out;
    return { description, anyOf: [{ type: "null" }, rest] };
  }
  return out;
}

// ---- issue 11: user data, LoA, configuration, actions, dc, error shapes ----

describe("userData required per provider (docs.hopae.com/api-reference/verifications/user-data-requirements)", () => {
  const create = (gen, providerId, userData) => call(gen, "POST", "/verifications", { providerId, ...(userData === undefined ? {} : { userData }) });

  test("missing: the documented 400 naming the field, in both generations", async () => {
    for (const [providerId, field] of [["smartid", "registrationId"], ["skmobileid", "phoneNumber"], ["audkenni", "registrationId"], ["evrotrust", "identificationNumber"]]) {
      const current = await create("current", providerId);
      checkError("current", current, 400, null, "VALIDATION_MISSING_USER_DATA");
      assert.equal(current.json.context.field, `userData.${field}`);
      assert.match(current.json.detail, new RegExp(field));
      // The guide has no user-data numbers: its Missing Parameter code, 200001.
      checkError("guide", await create("guide", providerId, {}), 400, 200001, "VALIDATION_MISSING_USER_DATA");
    }
    const half = await create("current", "skmobileid", { phoneNumber: "+37268000769" });
    checkError("current", half, 400, null, "VALIDATION_MISSING_USER_DATA");
    assert.equal(half.json.context.field, "userData.nationalIdentityNumber");
  });

  test("malformed: 400 VALIDATION_INVALID_USER_DATA with the format", async () => {
    for (const [providerId, userData, field] of [
      ["smartid", { registrationId: "38001085718" }, "registrationId"],
      ["smartid", { registrationId: "PNOEE-1" }, "registrationId"],
      ["skmobileid", { phoneNumber: "37268000769", nationalIdentityNumber: "60001017869" }, "phoneNumber"],
      ["skmobileid", { phoneNumber: "+37268000769", nationalIdentityNumber: "600-010-17869" }, "nationalIdentityNumber"],
      ["audkenni", { registrationId: "12017" }, "registrationId"],
      ["evrotrust", { email: "User@Example.com" }, "email"],
      ["evrotrust", { identificationNumber: "1234567890", country: "US" }, "country"],
    ]) {
      const res = await create("current", providerId, userData);
      checkError("current", res, 400, null, "VALIDATION_INVALID_USER_DATA");
      assert.equal(res.json.context.field, `userData.${field}`, JSON.stringify(userData));
      checkError("guide", await create("guide", providerId, userData), 400, 200002, "VALIDATION_INVALID_USER_DATA");
    }
  });

  test("valid data, any of Evrotrust's alternatives, and the requireUserData switch", async () => {
    for (const [providerId, userData] of [...Object.entries(USER_DATA_EXAMPLES), ["evrotrust", { email: "user@example.com" }], ["evrotrust", { phone: "+359881234567" }], ["audkenni", { registrationId: "120174-3399" }]]) {
      assert.equal((await create("current", providerId, userData)).status, 201, `${providerId} ${JSON.stringify(userData)}`);
    }
    await control("/config", { requireUserData: false });
    try {
      assert.equal((await create("current", "smartid")).status, 201);
    } finally {
      await control("/config", { requireUserData: true });
    }
  });

  test("GET /providers/{id}/configuration lists the fields (ProviderConfigurationDto)", async () => {
    for (const gen of ["guide", "current"]) {
      const res = await call(gen, "GET", "/providers/skmobileid/configuration");
      assert.equal(res.status, 200);
      check(responseSchema("/v1/providers/{providerId}/configuration", "get", 200), res.json, "configuration");
      assert.deepEqual(res.json.requiredUserData.map((f) => f.field), ["phoneNumber", "nationalIdentityNumber"]);
      for (const f of res.json.requiredUserData) assert.ok(new RegExp(f.pattern).test(USER_DATA_EXAMPLES.skmobileid[f.field]), "the pattern accepts the documented example");
    }
    const evrotrust = (await call("current", "GET", "/providers/evrotrust/configuration")).json;
    assert.deepEqual(evrotrust.requiredUserData, [], "alternatives: none is required on its own");
    assert.ok(evrotrust.optionalUserData.some((f) => f.field === "email"));
    assert.deepEqual((await call("current", "GET", "/providers/bankidse/configuration")).json.requiredUserData, []);
    checkError("current", await call("current", "GET", "/providers/nosuch/configuration"), 404, 400001, "PROVIDER_NOT_FOUND");
  });
});

describe("requestedLoa (create-verification: 422 if the provider cannot meet it)", () => {
  test("above the provider's level: 422; malformed: 400; reachable: 201", async () => {
    for (const gen of ["guide", "current"]) {
      const high = await call(gen, "POST", "/verifications", { providerId: "frejaid", requestedLoa: 4 });
      checkError(gen, high, 422, 200002, "VALIDATION_INVALID_PARAMETER");
      assert.match(high.json.detail, /level of assurance 4/);
      checkError(gen, await call(gen, "POST", "/verifications", { providerId: "frejaid", requestedLoa: "high" }), 400, 200002, "VALIDATION_INVALID_PARAMETER");
      assert.equal((await call(gen, "POST", "/verifications", { providerId: "bankidse", requestedLoa: 4 })).status, 201);
    }
  });
});

describe("error shapes per generation (problem-types.yml envelope; the guide's form)", () => {
  test("current: instance is the request path, with timestamp, context and doc_url", async () => {
    const res = await call("current", "GET", "/verifications/nope");
    assert.equal(res.json.instance, "/connect/v1/verifications/nope");
    assert.deepEqual(Object.keys(res.json).sort(), ["context", "detail", "doc_url", "instance", "status", "timestamp", "title", "type"]);
    assert.deepEqual(res.json.context, { verificationId: "nope" });
    assert.match(res.json.doc_url, /^https:\/\/docs\.hopae\.com\//);
  });
  test("guide: numeric code, dotted title, instance is the request path", async () => {
    const res = await call("guide", "GET", "/verifications/nope");
    assert.equal(res.json.instance, "/api/v1/verifications/nope");
    assert.equal(res.json.title, "SESSION.NOT_FOUND");
    assert.equal(res.json.code, 300001);
    assert.equal(res.json.context, undefined);
  });
});

describe("flowDetails.action (VerificationActionDto): a mid-flow step behind a switch", () => {
  for (const how of ["control route", "fault"]) {
    test(`set by the ${how}: reported in the status body until the step is done`, async () => {
      const { json } = await call("current", "POST", "/verifications", { providerId: "bankidse" });
      if (how === "fault") await control("/faults", { op: "status", kind: "action", times: 1, verificationId: json.verificationId, value: { type: "redirect", message: "Please complete face liveness check" } });
      else await control(`/verifications/${json.verificationId}/action`, { type: "redirect", message: "Please complete face liveness check" });
      const res = await call("current", "GET", `/verifications/${json.verificationId}`);
      check(component("GetVerificationResponseDto"), res.json, "status with action");
      check(component("VerificationActionDto"), res.json.flowDetails.action, "action");
      assert.equal(res.json.status, "awaiting_user_action");
      assert.equal(res.json.flowDetails.action.type, "redirect");
      assert.match(res.json.flowDetails.action.url, /\/__sim\/phone\/\w+\?redirect=1&step=liveness$/);
      assert.equal(res.json.flowDetails.action.message, "Please complete face liveness check");
      const guide = await call("guide", "GET", `/verifications/${json.verificationId}`);
      assert.equal(guide.json.flowDetails.action.type, "redirect", "the guide generation carries it in flowDetails too");
      await control(`/verifications/${json.verificationId}/complete`);
      assert.equal((await call("current", "GET", `/verifications/${json.verificationId}`)).json.flowDetails, undefined);
    });
  }

  test("qr, push, deeplink and message actions; a bad one is refused", async () => {
    for (const action of [{ type: "qr", url: "https://liveness.example/qr/1" }, { type: "push", message: "Confirm in the app" }, { type: "deeplink", url: "bankid:///?autostarttoken=x" }, { type: "message", message: "Hold on" }]) {
      const { json } = await call("current", "POST", "/verifications", { providerId: "bankidse" });
      await control(`/verifications/${json.verificationId}/action`, action);
      const got = (await call("current", "GET", `/verifications/${json.verificationId}`)).json.flowDetails.action;
      assert.equal(got.type, action.type);
      if (action.url) assert.equal(got.url, action.url);
    }
    const { json } = await call("current", "POST", "/verifications", { providerId: "bankidse" });
    const bad = await fetch(`${base}/__sim/verifications/${json.verificationId}/action`, { method: "POST", body: JSON.stringify({ type: "teleport" }) });
    assert.equal(bad.status, 400);
  });
});

describe("the dc flow (docs.hopae.com/guides/dc-native-integration)", () => {
  const dc = (options) => call("current", "POST", "/verifications", { providerId: "us-id-pass", options });

  test("native mode returns the wallet request in flowDetails.request, per platform", async () => {
    const android = await dc({ mode: "native", platform: "android", expected_origins: ["https://shop.example"] });
    assert.equal(android.status, 201, android.text);
    check(component("CreateVerificationResponseDto"), android.json, "dc create");
    assert.equal(android.json.flowType, "dc");
    assert.equal(android.json.flowDetails.request.protocol, "openid4vp-v1-unsigned");
    assert.deepEqual(android.json.flowDetails.request.data.expected_origins, ["https://shop.example"]);
    assert.equal(Date.parse(android.json.expiresAt) - Date.parse(android.json.createdAt), 30 * 60_000, "the guide: the session expires after 30 minutes");
    const ios = await dc({ mode: "native", platform: "ios", expected_origins: ["https://shop.example"] });
    assert.ok(ios.json.flowDetails.request.data.deviceRequest && ios.json.flowDetails.request.data.encryptionInfo);
  });

  test("native mode needs platform and expected_origins", async () => {
    const noPlatform = await dc({ mode: "native", expected_origins: ["https://shop.example"] });
    checkError("current", noPlatform, 400, 200001, "VALIDATION_MISSING_PARAMETER");
    assert.equal(noPlatform.json.context.field, "options.platform");
    checkError("current", await dc({ mode: "native", platform: "windows", expected_origins: ["https://shop.example"] }), 400, 200002, "VALIDATION_INVALID_PARAMETER");
    checkError("current", await dc({ mode: "native", platform: "android" }), 400, 200001, "VALIDATION_MISSING_PARAMETER");
  });

  test("submitting the credential to the callback completes the verification", async () => {
    const { json } = await dc({ mode: "native", platform: "android", expected_origins: ["https://shop.example"] });
    const post = (body) => fetch(json.flowDetails.callbackUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    assert.equal((await post({})).status, 400);
    const res = await post({ credential: { protocol: "openid4vp-v1-unsigned", data: { vp_token: "x" } } });
    assert.equal(res.status, 200);
    assert.equal((await call("current", "GET", `/verifications/${json.verificationId}`)).json.status, "completed");
    assert.equal((await post({ credential: {} })).status, 409, "only once");
  });
});
