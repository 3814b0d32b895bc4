// What a TypeScript user writes: this must type-check (tsc --noEmit, strict).
import { mount, HopaeVerifyElement, type HopaeFailedDetail, type HopaePart, type MountOptions, type Verification } from "hopae-connect-widget";
import { define } from "hopae-connect-widget/define";

const el = document.createElement("div");

el.addEventListener("hopae-completed", (e) => {
  const attributes: Record<string, unknown> = e.detail.verifiedAttributes;
  const id: string = e.detail.verificationId;
  const at: string | null = e.detail.verifiedAt;
  console.log(attributes, id, at);
});
el.addEventListener("hopae-failed", (e) => {
  const d: HopaeFailedDetail = e.detail;
  const retry: boolean = d.retryable;
  const status: number | null = d.httpStatus;
  console.log(d.code, d.title, d.message, retry, status);
});
el.addEventListener("hopae-status", (e) => console.log(e.detail.status, e.detail.fallbackFrom));
el.addEventListener("hopae-redirect", (e) => {
  e.preventDefault();
  location.assign(e.detail.authorizationUrl);
});
el.addEventListener("hopae-initiated", (e) => console.log(e.detail.flowType, e.detail.expiresAt));
el.addEventListener("hopae-expired", (e) => console.log(e.detail.verificationId));
el.addEventListener("hopae-cancelled", (e) => console.log(e.detail.verificationId));

const options: MountOptions = {
  endpoint: "/api/verifications",
  providerId: "bankidse",
  pollInterval: 2000,
  timeout: 120_000,
  requestTimeout: 5000,
  maxRetries: 3,
  fallbackProviders: ["frejaid"],
  redirect: "new-tab",
  locale: "sv",
  messages: { scanQr: "Skanna!", tryAgain: "Igen" },
  headers: { "X-CSRF-Token": "t" },
  credentials: "include",
  body: { referenceId: "order-1" },
  size: 240,
};

async function run(): Promise<void> {
  const v: Verification = await mount(el, options);
  const id: string | undefined = v.verificationId;
  v.cancel();
  v.restart();
  v.destroy();
  console.log(id, v.status);
}
void run();

define();
const element = document.createElement("hopae-verify");
const typed: HopaeVerifyElement = element;
typed.options = { headers: { "X-CSRF-Token": "t" } };
typed.addEventListener("hopae-completed", (e) => console.log(e.detail.providerId));
console.log(typed.verificationId);

// Page-level listeners are typed too (issue 14: DocumentEventMap, WindowEventMap).
document.addEventListener("hopae-completed", (e) => console.log(e.detail.verifiedAttributes));
window.addEventListener("hopae-failed", (e) => console.log(e.detail.code));

// The handle's outcome: `await verification.done` never rejects.
async function outcome(): Promise<string> {
  const v = await mount(el, { endpoint: "/api/verifications", providerId: "bankidse", wasmUrl: "/assets/hopae.wasm" });
  const superseded: boolean = v.superseded;
  const result = await v.done;
  if (result.type === "hopae-completed") return `${superseded} ${result.detail.verificationId} ${String(result.detail.verifiedAttributes.name)}`;
  if (result.type === "hopae-failed") return result.detail.code;
  return String(result.detail.verificationId);
}
void outcome();

// User data, the new failure field, the new message keys and the parts (the core redesign).
const smartId: MountOptions = {
  endpoint: "/api/verifications",
  providerId: "smartid",
  userData: { registrationId: "PNOEE-30303039914" },
  messages: {
    expiresInMinutes: "{time} min left",
    userDataIntro: "{provider} needs:",
    registrationId: "ID code",
    phoneNumber: "Phone",
    personalCode: "Personal code",
    formatHint: "e.g. {code}",
    invalidFormat: "Format: {code}",
    continue: "Next",
  },
};
const siteHandlesUserData: MountOptions = { endpoint: "/api/verifications", providerId: "skmobileid", requireUserData: false };
el.addEventListener("hopae-failed", (e) => {
  const raw: number | string | null = e.detail.hopaeCode;
  if (typeof raw === "number") console.log(raw + 1);
  else if (raw !== null) console.log(raw.toLowerCase());
});
const parts: HopaePart[] = ["code", "code-label", "code-value", "form", "field", "label", "input", "hint", "submit-button"];
console.log(smartId, siteHandlesUserData, parts);
