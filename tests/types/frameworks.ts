// Vue and Svelte users import the entry that registers the element and types it.
import { define as defineForVue, type HopaeVerifyVueProps } from "hopae-connect-widget/vue";
import { define as defineForSvelte, type HopaeVerifySvelteAttributes } from "hopae-connect-widget/svelte";
import type { GlobalComponents } from "vue";
import type { SvelteHTMLElements } from "svelte/elements";

defineForVue();
defineForSvelte();
const vueProps: HopaeVerifyVueProps = { endpoint: "/api/verifications", provider: "bankidse", "require-user-data": "false", "onHopae-completed": (e) => console.log(e.detail.verifiedAttributes) };
type VueHas = GlobalComponents["hopae-verify"];
const svelteAttributes: SvelteHTMLElements["hopae-verify"] = { endpoint: "/api/verifications", provider: "bankidse", "require-user-data": "false", "onhopae-failed": (e) => console.log(e.detail.code, e.detail.hopaeCode) };
const same: HopaeVerifySvelteAttributes = svelteAttributes;
console.log(vueProps, same, null as unknown as VueHas);
