// The demo page: mounts the widget from /dist/ and lists the events it sends.
// Query parameters set options, e.g.
//   ?provider=smartid&pollInterval=1000&timeout=20000&maxRetries=2&redirect=new-tab
// A redirect flow comes back with ?verificationId=…, which resumes it.
import { mount } from "/dist/index.js";

const params = new URLSearchParams(location.search);
const host = document.getElementById("widget");
const log = document.getElementById("log");
const select = document.getElementById("provider");
const phone = document.getElementById("phone");
const phoneLink = document.getElementById("phone-link");

/** Every event the page saw, for people and for the end-to-end tests. */
window.demoEvents = [];

const EVENTS = ["hopae-initiated", "hopae-status", "hopae-redirect", "hopae-completed", "hopae-failed", "hopae-expired", "hopae-cancelled"];
for (const name of EVENTS) {
  document.addEventListener(name, (event) => {
    window.demoEvents.push({ type: event.type, detail: event.detail, at: Date.now() });
    const item = document.createElement("li");
    item.textContent = `${new Date().toLocaleTimeString()} ${event.type} ${JSON.stringify(event.detail)}`;
    log.prepend(item);
    if (event.type === "hopae-redirect" && params.get("preventRedirect") === "1") event.preventDefault();
    if (event.type === "hopae-initiated" && event.detail.flowType !== "redirect") {
      phoneLink.href = `/__sim/phone/${encodeURIComponent(event.detail.verificationId)}`;
      phone.hidden = false;
    } else if (!["hopae-status", "hopae-initiated", "hopae-redirect"].includes(event.type)) {
      phone.hidden = true;
    }
  });
}

const options = { endpoint: "/api/verifications" };
for (const key of ["pollInterval", "timeout", "size", "maxRetries", "requestTimeout"]) {
  if (params.has(key)) options[key] = Number(params.get(key));
}
for (const key of ["redirect", "resume"]) if (params.has(key)) options[key] = params.get(key);
if (params.has("verificationId")) options.resume = params.get("verificationId");
if (params.has("fallbackProviders")) options.fallbackProviders = params.get("fallbackProviders").split(",");
if (params.has("provider")) select.value = params.get("provider");

async function start() {
  window.demoHandle?.destroy();
  phone.hidden = true;
  try {
    window.demoHandle = await mount(host, { ...options, providerId: params.get("provider") ?? select.value });
  } catch (error) {
    window.demoError = error.message;
    const item = document.createElement("li");
    item.textContent = `mount() threw: ${error.message}`;
    log.prepend(item);
  }
}

document.getElementById("restart").addEventListener("click", () => {
  delete options.resume;
  start();
});
select.addEventListener("change", () => {
  params.delete("provider");
  delete options.resume;
  start();
});
start();
