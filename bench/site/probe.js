// A classic script loaded first by the cold pages: records when the first QR
// (dark pixels) reaches a canvas, at the draw call itself, with no polling
// loop competing for the main thread. window.qrAt: ms since navigation start;
// window.cardAt: when the widget's card painted its code (ours only).
(() => {
  const proto = CanvasRenderingContext2D.prototype;
  const dark = (canvas) => {
    if (!canvas.width || !canvas.height) return false;
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && data[i] < 128) return true;
    return false;
  };
  for (const method of ["drawImage", "putImageData", "fillRect", "fill"]) {
    const original = proto[method];
    proto[method] = function (...args) {
      const result = original.apply(this, args);
      if (window.qrAt === undefined && dark(this.canvas)) window.qrAt = performance.now();
      // The widget's own card painting its code (after the first-QR module's, on our pages).
      if (window.cardAt === undefined && this.canvas.classList.contains("hopae-verify-qr") && dark(this.canvas)) window.cardAt = performance.now();
      return result;
    };
  }
})();
