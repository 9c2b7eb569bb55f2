/**
 * The one diff every sync dimension uses (STYLE.md #6): what to add and what to remove so that the
 * grants equal the expected set — except that only grants sync made (`source: "sync"`) are ever
 * removed; manual grants stay whatever the IdP says. A key expected and already granted manually is
 * left as it is (not added again, not taken over).
 */
export interface Grant<K> {
  key: K;
  source: "sync" | "manual";
}

export interface GrantDiff<K> {
  add: K[];
  remove: K[];
}

export function diffGrants<K>(expected: Iterable<K>, existing: readonly Grant<K>[]): GrantDiff<K> {
  const want = new Set(expected);
  const have = new Set(existing.map((g) => g.key));
  return {
    add: [...want].filter((k) => !have.has(k)),
    remove: existing.filter((g) => g.source === "sync" && !want.has(g.key)).map((g) => g.key),
  };
}
