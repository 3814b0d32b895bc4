// The demo page: mounts the widget from /dist/ and lists the events it sends.
// Query parameters set options, e.g. ?provider=smartid&pollInterval=1000&timeout=20000
import { mount } from "/dist/index.js";

const params = new URLSearchParams(location.search);
const host = document.getElementById("widget");
const log = document.getElementById("log");
const select = document.getElementById("provider");
const phone = document.getElementById("phone");
const phoneLink = document.getElementById("phone-link");

/** Every event the page saw, for people and for the end-to-end tests. */
window.demoEvents = [];

for (const name of ["hopae-initiated", "hopae-status", "hopae-completed", "hopae-failed", "hopae-expired", "hopae-cancelled"]) {
  document.addEventListener(name, (event) => {
    window.demoEvents.push({ type: event.type, detail: event.detail, at: Date.now() });
    const item = document.createElement("li");
    item.textContent = `${new Date().toLocaleTimeString()} ${event.type} ${JSON.stringify(event.detail)}`;
    log.prepend(item);
    if (event.type === "hopae-initiated") {
      phoneLink.href = `/__sim/phone/${encodeURIComponent(event.detail.verificationId)}`;
      phone.hidden = false;
    } else if (event.type !== "hopae-status") {
      phone.hidden = true;
    }
  });
}

const options = { endpoint: "/api/verifications" };
for (const key of ["pollInterval", "timeout", "size"]) if (params.has(key)) options[key] = Number(params.get(key));
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

document.getElementById("restart").addEventListener("click", start);
select.addEventListener("change", () => { params.delete("provider"); start(); });
start();
