// Sums the layout-shift entries of the page (window.cls; window.shifts: each
// value with the moved nodes, from → to). window.clsObserver.takeRecords()
// hands over entries not yet delivered (pass them to window.clsRecord).
window.cls = 0;
window.shifts = [];
window.clsRecord = (e) => {
  if (e.hadRecentInput) return;
  window.cls += e.value;
  const rect = (r) => `${r.x},${r.y} ${r.width}×${r.height}`;
  const name = (n) => (n ? `${n.nodeName}${n.id ? `#${n.id}` : ""}${n.className ? `.${n.className}` : ""}` : "?");
  window.shifts.push({ value: e.value, sources: e.sources.map((s) => `${name(s.node)} ${rect(s.previousRect)} → ${rect(s.currentRect)}`) });
};
window.clsObserver = new PerformanceObserver((list) => list.getEntries().forEach(window.clsRecord));
window.clsObserver.observe({ type: "layout-shift", buffered: true });
