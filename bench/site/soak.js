// 50 widgets on one page; every event each one dispatches is recorded per widget.
import { mount } from "/dist/index.js";

const count = Number(new URLSearchParams(location.search).get("widgets") ?? 50);
window.widgets = [];
for (let i = 0; i < count; i++) {
  const el = document.createElement("div");
  document.body.append(el);
  const record = { events: [] };
  window.widgets.push(record);
  for (const type of ["hopae-initiated", "hopae-completed", "hopae-failed", "hopae-expired", "hopae-cancelled"]) {
    el.addEventListener(type, (e) => record.events.push({ type, detail: e.detail, at: Date.now() }));
  }
  record.handle = mount(el, { endpoint: "/api/verifications", providerId: "bankidse", size: 120 });
}
window.ready = true;
