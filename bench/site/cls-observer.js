// Sums the layout-shift entries of the page (window.cls, window.shifts).
window.cls = 0;
window.shifts = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) { window.cls += e.value; window.shifts.push(e.value); }
}).observe({ type: "layout-shift", buffered: true });
