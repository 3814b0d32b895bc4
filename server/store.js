// The store: where the reference backend keeps what must be shared between
// requests and between instances: rate-limit counters, idempotency records,
// the "onCompleted already ran" marks and webhook event ids. Four operations,
// every one with a time-to-live, so nothing in it lives for ever:
//
//   incr(key, windowMs)           -> {count, ttlMs}  a fixed-window counter
//   get(key)                      -> string | null
//   setIfAbsent(key, value, ttlMs) -> true when this call set it
//   set(key, value, ttlMs), delete(key)
//
// `createMemoryStore()` is the default (one process). `createRedisStore(client)`
// takes an ioredis client (an optional peer dependency: this file never imports
// it), so several instances behind a load balancer share one set of limits and
// one idempotency record per key. No Node API here: the store runs wherever the
// handler runs.

/**
 * A store in this process's memory. Expired entries are swept as it is used
 * (no timer, so it never keeps a process alive); `maxEntries` bounds it: when
 * full, the entries closest to expiry go first.
 */
export function createMemoryStore({ maxEntries = 100_000, now = () => Date.now() } = {}) {
  /** key -> {value, expires} */
  const entries = new Map();
  let operations = 0;

  function live(key) {
    const entry = entries.get(key);
    if (!entry) return null;
    if (entry.expires <= now()) {
      entries.delete(key);
      return null;
    }
    return entry;
  }

  function sweep() {
    const t = now();
    for (const [key, entry] of entries) if (entry.expires <= t) entries.delete(key);
    if (entries.size >= maxEntries) {
      const byExpiry = [...entries].sort((a, b) => a[1].expires - b[1].expires);
      for (const [key] of byExpiry.slice(0, entries.size - Math.floor(maxEntries * 0.9))) entries.delete(key);
    }
  }

  function put(key, value, ttlMs) {
    if (++operations % 1000 === 0 || entries.size >= maxEntries) sweep();
    entries.set(key, { value, expires: now() + ttlMs });
  }

  return {
    async incr(key, windowMs) {
      const entry = live(key);
      if (entry) {
        entry.value += 1;
        return { count: entry.value, ttlMs: entry.expires - now() };
      }
      put(key, 1, windowMs);
      return { count: 1, ttlMs: windowMs };
    },
    async get(key) {
      return live(key)?.value ?? null;
    },
    async setIfAbsent(key, value, ttlMs) {
      if (live(key)) return false;
      put(key, value, ttlMs);
      return true;
    },
    async set(key, value, ttlMs) {
      put(key, value, ttlMs);
    },
    async delete(key) {
      entries.delete(key);
    },
    /** For tests and metrics: live entries right now. */
    get size() {
      sweep();
      return entries.size;
    },
  };
}

const INCR = "local c = redis.call('INCR', KEYS[1]) if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return {c, redis.call('PTTL', KEYS[1])}";

/**
 * A store in Redis through an ioredis client (`new Redis(url)`), shared by
 * every instance that uses the same Redis and `prefix`. The counter is one
 * atomic script (INCR, then PEXPIRE on the first hit), so concurrent
 * instances never lose a count.
 */
export function createRedisStore(client, { prefix = "hopae:" } = {}) {
  if (!client || typeof client.eval !== "function" || typeof client.set !== "function") {
    throw new Error("hopae-connect-widget/server: createRedisStore needs an ioredis client (new Redis(url))");
  }
  const k = (key) => prefix + key;
  return {
    async incr(key, windowMs) {
      const [count, ttl] = await client.eval(INCR, 1, k(key), String(Math.max(1, Math.ceil(windowMs))));
      return { count: Number(count), ttlMs: Number(ttl) > 0 ? Number(ttl) : windowMs };
    },
    async get(key) {
      return client.get(k(key));
    },
    async setIfAbsent(key, value, ttlMs) {
      return (await client.set(k(key), value, "PX", Math.max(1, Math.ceil(ttlMs)), "NX")) === "OK";
    },
    async set(key, value, ttlMs) {
      await client.set(k(key), value, "PX", Math.max(1, Math.ceil(ttlMs)));
    },
    async delete(key) {
      await client.del(k(key));
    },
  };
}
