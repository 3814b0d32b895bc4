import { load, mountWasm } from "./load.js";

/** The latest mount() call per element: an earlier one still loading is superseded. */
const latest = new WeakMap();

/** What a mount() superseded by a later one on the same element resolves to. */
const superseded = Object.freeze({
  destroy() {},
  cancel() {},
  restart() {},
  verificationId: undefined,
  status: undefined,
  superseded: true,
});

/**
 * Mounts a verification widget on `element` and starts a verification.
 * Rejects with an Error that says what to fix if an option is wrong.
 *
 * Mounting on an element that already has a widget replaces it. When two
 * mount() calls for one element overlap while the module loads (React
 * StrictMode mounts, unmounts and mounts again), only the last one creates a
 * verification; the earlier resolves to an inert handle.
 */
export async function mount(element, options) {
  const token = {};
  const keyed = element !== null && typeof element === "object";
  if (keyed) latest.set(element, token);
  await load();
  if (keyed && latest.get(element) !== token) return superseded;
  return mountWasm(element, options);
}
