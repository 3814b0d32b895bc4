// dist/poll-worker.js: the widget's status requests, made off the page's main
// thread (js/events.js starts it beside itself). A classic worker, no imports.
// In:  [id, url, headers, credentials, referrer] makes a request (the page's
//      origin as the Referer, to the page's origin only); [id] aborts it.
// Out: 0 once, when ready; then per request [id, status, ok, date,
//      retryAfter, text, receivedAt], or [id, message] when it failed.
const requests = new Map();
onmessage = ({ data: [id, url, headers, credentials, referrer] }) => {
  if (url === undefined) return requests.get(id)?.abort();
  const abort = new AbortController();
  requests.set(id, abort);
  fetch(url, { headers, credentials, referrer, referrerPolicy: "same-origin", signal: abort.signal, cache: "no-store" })
    .then(async (r) => {
      const header = (name) => r.headers.get(name) ?? undefined;
      const text = await r.text();
      postMessage([id, r.status, r.ok, header("date"), header("retry-after"), text, Date.now()]);
    })
    .catch((error) => postMessage([id, String(error?.message ?? error)]))
    .finally(() => requests.delete(id));
};
postMessage(0);
