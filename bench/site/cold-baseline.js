// Mounts at once on the cold page: the plain-JS approach.
import { mountBaseline } from "/baseline.bundle.js";
mountBaseline(document.getElementById("verify"), { endpoint: "/api/verifications", providerId: "bankidse" });
