/**
 * A small in-process map with a lifetime per entry and a size bound, least recently used out first.
 * Pure (the clock is passed in), so its behaviour is tested without timers.
 *
 * Used for verified tokens (src/auth/token-service.ts): the key is the token's sha256 digest, never
 * the secret.
 */
export interface TtlCache<V> {
  /** The value, if present and not expired at `nowMs`; a hit becomes the most recently used. */
  get(key: string, nowMs: number): V | undefined;
  /** Stores `value` until `nowMs + ttl`; past the size bound, the least recently used entry goes. */
  set(key: string, value: V, nowMs: number): void;
  /** Forgets one entry. */
  delete(key: string): void;
  clear(): void;
  readonly size: number;
}

export function createTtlCache<V>(opts: { ttlMs: number; maxEntries: number }): TtlCache<V> {
  // A Map iterates in insertion order: re-inserting on a hit keeps the least recently used first.
  const entries = new Map<string, { value: V; expiresAt: number }>();
  return {
    get(key, nowMs) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.expiresAt <= nowMs) return undefined;
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value, nowMs) {
      if (opts.ttlMs <= 0 || opts.maxEntries <= 0) return;
      entries.delete(key);
      entries.set(key, { value, expiresAt: nowMs + opts.ttlMs });
      while (entries.size > opts.maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
    },
    delete(key) {
      entries.delete(key);
    },
    clear() {
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
