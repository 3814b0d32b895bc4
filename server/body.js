// A request's or a response's body read with a size cap, on web-standard
// streams only (no node: module), shared by the backend, the webhook handler
// and the simulator.

/** The bytes of `stream`, or null once they pass `limit` (the rest is cancelled). */
export async function readBytes(stream, limit) {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return concat(...chunks);
}

/** The byte arrays one after another in one array. */
export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
