// In-page measurements, the same for our widget and the baseline. Each page
// sets window.impl = { mount(el) -> handle with destroy(), paint(canvas, text),
// canvasOf(el) } before calling ready().

// Requests in flight (a destroyed widget's cancel, a create that answers
// after destroy and is then cancelled), on both pages alike: the memory check
// measures once there are none, so it counts what is kept, not what is queued.
window.inflight = 0;
const fetchInPage = window.fetch;
window.fetch = function (...args) {
  window.inflight++;
  return fetchInPage.apply(this, args).finally(() => window.inflight--);
};

/** Resolves on the next macrotask, without the 4 ms clamp of setTimeout. */
const channel = new MessageChannel();
const waiters = [];
channel.port1.onmessage = () => waiters.shift()?.();
const tick = () => new Promise((resolve) => { waiters.push(resolve); channel.port2.postMessage(0); });

function painted(canvas) {
  if (!canvas || !canvas.width || !canvas.height) return false;
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && data[i] < 128) return true;
  return false;
}

/** Milliseconds from the mount() call to dark QR pixels on the canvas. */
window.timeToQr = async function timeToQr() {
  const el = document.createElement("div");
  document.body.append(el);
  const t0 = performance.now();
  const handle = window.impl.mount(el);
  let ms;
  for (;;) {
    if (painted(window.impl.canvasOf(el))) { ms = performance.now() - t0; break; }
    if (performance.now() - t0 > 20000) throw new Error("no QR after 20 s");
    await tick();
  }
  (await handle).destroy();
  el.remove();
  return ms;
};

/** Encode + paint `n` BankID-style 90-byte payloads; returns ms per code. */
window.encodePaint = async function encodePaint(n) {
  const canvas = document.createElement("canvas");
  document.body.append(canvas);
  const uuid = "6b8a8c2e-1b4f-4f8e-9a3c-1f2e3d4c5b6a";
  const hex = "9f2c".repeat(16);
  await window.impl.paint(canvas, `bankid.${uuid}.0.${hex}`); // warm up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await window.impl.paint(canvas, `bankid.${uuid}.${i}.${hex}`);
  const ms = (performance.now() - t0) / n;
  canvas.remove();
  return ms;
};

/** `n` mount -> destroy cycles, one after the other. */
window.cycles = async function cycles(n) {
  const el = document.createElement("div");
  document.body.append(el);
  for (let i = 0; i < n; i++) (await window.impl.mount(el)).destroy();
  el.remove();
};

/** Mounts one verification and keeps it (idle cost, request count). */
window.mountOne = async function mountOne() {
  const el = document.createElement("div");
  document.body.append(el);
  window.kept = await window.impl.mount(el);
  return true;
};
