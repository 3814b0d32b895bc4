// The plain-JS approach the guide itself shows, as a site would ship it: its
// polling snippet (setInterval every 3 s, stop after 5 min) talking to the same
// backend, and the `qrcode` package (1.5.4) painting the QR on a canvas.
// Bundled and minified with esbuild, like ours, for the benchmark.
import QRCode from "qrcode";

export async function mountBaseline(el, { endpoint, providerId }) {
  const canvas = document.createElement("canvas");
  el.append(canvas);
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ providerId }),
  });
  const data = await response.json();
  await QRCode.toCanvas(canvas, data.flowDetails.qrData, { margin: 4, width: 200 });
  const pollInterval = setInterval(async () => {
    try {
      const res = await fetch(`${endpoint}/${data.verificationId}`);
      const status = await res.json();
      switch (status.status) {
        case "completed":
        case "failed":
        case "expired":
          clearInterval(pollInterval);
          el.dispatchEvent(new CustomEvent(`baseline-${status.status}`, { detail: status }));
          break;
      }
    } catch (error) {
      clearInterval(pollInterval);
    }
  }, 3000);
  const timeout = setTimeout(() => clearInterval(pollInterval), 300000);
  return {
    destroy() {
      clearInterval(pollInterval);
      clearTimeout(timeout);
      canvas.remove();
    },
  };
}

/** Encode and paint one code (the encode + paint benchmark). */
export function paintBaseline(canvas, text) {
  return QRCode.toCanvas(canvas, text, { margin: 4, width: 200 });
}
