// Mistakes the declarations must catch: each line below is an error, or tsc
// reports the unused @ts-expect-error and the test fails.
import { mount } from "hopae-connect-widget";

const el = document.createElement("div");
// @ts-expect-error endpoint is required
void mount(el, { providerId: "bankidse" });
// @ts-expect-error pollInterval is a number
void mount(el, { endpoint: "/v", providerId: "bankidse", pollInterval: "often" });
// @ts-expect-error redirect is one of three modes
void mount(el, { endpoint: "/v", providerId: "bankidse", redirect: "popup" });
// @ts-expect-error no such message key
void mount(el, { endpoint: "/v", providerId: "bankidse", messages: { scanQR: "x" } });
el.addEventListener("hopae-completed", (e) => {
  // @ts-expect-error the detail has no such field
  console.log(e.detail.attributes);
});
el.addEventListener("hopae-failed", (e) => {
  // @ts-expect-error code is a string
  const n: number = e.detail.code;
  console.log(n);
});
async function outcome(): Promise<void> {
  const v = await mount(el, { endpoint: "/v", providerId: "bankidse" });
  const result = await v.done;
  if (result.type === "hopae-expired") {
    // @ts-expect-error an expired verification has no attributes
    console.log(result.detail.verifiedAttributes);
  }
  // @ts-expect-error superseded is read-only
  v.superseded = true;
}
void outcome();
document.addEventListener("hopae-completed", (e) => {
  // @ts-expect-error the detail has no such field
  console.log(e.detail.attributes);
});
// @ts-expect-error `provider` is the element's attribute; the option is providerId
void mount(el, { endpoint: "/v", providerId: "bankidse", provider: "bankidse" });
// @ts-expect-error userData values are strings
void mount(el, { endpoint: "/v", providerId: "smartid", userData: { registrationId: 30303039914 } });
// @ts-expect-error requireUserData is a boolean
void mount(el, { endpoint: "/v", providerId: "smartid", requireUserData: "no" });
// @ts-expect-error no such message key (it is expiresInMinutes)
void mount(el, { endpoint: "/v", providerId: "bankidse", messages: { expiresInMins: "x" } });
el.addEventListener("hopae-failed", (e) => {
  // @ts-expect-error hopaeCode may be a number or null
  const s: string = e.detail.hopaeCode;
  console.log(s);
});
// @ts-expect-error no such part
const part: import("hopae-connect-widget").HopaePart = "qr-code";
console.log(part);
