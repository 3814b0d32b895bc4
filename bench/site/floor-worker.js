// bench/poll-cost.mjs: the same status fetch made in a dedicated Worker, the
// parsed answer posted back (what moving polls off the main thread would cost it).
onmessage = async ({ data: url }) => {
  const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
  postMessage([response.status, response.headers.get("date"), await response.json()]);
};
