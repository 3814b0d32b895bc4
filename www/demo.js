// The ES module demo: mounts the widget from /dist/ with mount().
// Query parameters set options, e.g.
//   ?provider=smartid&pollInterval=1000&timeout=20000&maxRetries=2&redirect=new-tab&locale=sv
// A redirect flow comes back with ?verificationId=…, which resumes it.
import { mount } from "/dist/index.js";

const params = new URLSearchParams(location.search);
// For tests that mount and destroy many widgets (tests/e2e/orphans.test.mjs).
window.hopaeMount = mount;
const host = document.getElementById("widget");
const select = document.getElementById("provider");
const phone = document.getElementById("phone");
const phoneLink = document.getElementById("phone-link");

document.addEventListener("hopae-redirect", (event) => {
  if (params.get("preventRedirect") === "1") event.preventDefault();
});
document.addEventListener("hopae-initiated", (event) => {
  if (event.detail.flowType === "redirect") return;
  phoneLink.href = `/__sim/phone/${encodeURIComponent(event.detail.verificationId)}`;
  phone.hidden = false;
});
for (const name of ["hopae-completed", "hopae-failed", "hopae-expired", "hopae-cancelled"]) {
  document.addEventListener(name, () => (phone.hidden = true));
}

const options = { endpoint: "/api/verifications" };
for (const key of ["pollInterval", "timeout", "size", "maxRetries", "requestTimeout"]) {
  if (params.has(key)) options[key] = Number(params.get(key));
}
for (const key of ["redirect", "resume", "locale"]) if (params.has(key)) options[key] = params.get(key);
if (params.has("verificationId")) options.resume = params.get("verificationId");
if (params.has("registrationId")) options.userData = { registrationId: params.get("registrationId") };
if (params.get("requireUserData") === "false") options.requireUserData = false;
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
    document.getElementById("log").prepend(item);
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
