import { createTtlCache } from "./token-cache";

describe("token cache", () => {
  it("answers until the lifetime ends, then forgets", () => {
    const c = createTtlCache<string>({ ttlMs: 10_000, maxEntries: 10 });
    c.set("a", "A", 1000);
    expect(c.get("a", 10_999)).toBe("A");
    expect(c.get("a", 11_000)).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it("keeps at most maxEntries, dropping the least recently used", () => {
    const c = createTtlCache<number>({ ttlMs: 60_000, maxEntries: 3 });
    for (const [i, k] of ["a", "b", "c"].entries()) c.set(k, i, 0);
    expect(c.get("a", 1)).toBe(0); // a is now the most recently used
    c.set("d", 3, 2);
    expect(c.size).toBe(3);
    expect(c.get("b", 3)).toBeUndefined();
    expect([c.get("a", 3), c.get("c", 3), c.get("d", 3)]).toEqual([0, 2, 3]);
    for (let i = 0; i < 1000; i++) c.set(`k${i}`, i, 4);
    expect(c.size).toBe(3);
  });

  it("stores nothing with a lifetime of 0, and clear forgets everything", () => {
    const off = createTtlCache<string>({ ttlMs: 0, maxEntries: 10 });
    off.set("a", "A", 0);
    expect(off.get("a", 0)).toBeUndefined();
    const c = createTtlCache<string>({ ttlMs: 1000, maxEntries: 10 });
    c.set("a", "A", 0);
    c.clear();
    expect(c.get("a", 1)).toBeUndefined();
  });
});
