// Mounts at once on the cold/cls pages: the ES entry.
import { mount } from "/dist/index.js";
mount(document.getElementById("verify"), { endpoint: "/api/verifications", providerId: "bankidse" });
