/**
 * The application's username handle (Coder's rules): 1–32 characters of [a-zA-Z0-9-], no leading,
 * trailing or doubled hyphen. Derived once from the SCIM userName (the part before `@` when it is an
 * email address), else from the primary email, and never changed afterwards. Handles are lower-cased
 * so that two users can't differ only by case.
 */

export const USERNAME_MAX = 32;

export function sanitizeUsername(source: string): string {
  const local = source.includes("@") ? source.slice(0, source.indexOf("@")) : source;
  const cleaned = local
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, USERNAME_MAX)
    .replace(/-+$/g, "");
  return cleaned;
}

/** The first usable handle from the candidates, or `user` when none yields anything. */
export function baseUsername(candidates: readonly (string | undefined)[]): string {
  for (const c of candidates) {
    if (!c) continue;
    const s = sanitizeUsername(c);
    if (s) return s;
  }
  return "user";
}

/** `base` with a numeric suffix that keeps it within 32 characters: `alice-2`, `alice-3`, ... */
export function withSuffix(base: string, n: number): string {
  if (n <= 1) return base;
  const suffix = `-${n}`;
  return `${base.slice(0, USERNAME_MAX - suffix.length).replace(/-+$/g, "")}${suffix}`;
}

/**
 * The first of base, base-2, base-3, ... not in `taken` (the handles that share the base's prefix).
 */
export function firstFreeUsername(base: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const candidate = withSuffix(base, n);
    if (!taken.has(candidate)) return candidate;
  }
}
