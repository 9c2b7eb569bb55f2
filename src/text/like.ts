/**
 * A value to match literally inside a LIKE / ILIKE pattern. Prisma's `contains`, `startsWith` and
 * `endsWith` build `LIKE '%' || value || '%'` without escaping the value (prisma/prisma#19506), so a
 * `%` or `_` from a user would act as a wildcard and a `\` would escape the character after it.
 * PostgreSQL's default LIKE escape character is the backslash (PostgreSQL manual, 9.7.1), so each of
 * the three is escaped with one; the SCIM filter translation (src/scim/filter/sql.ts) uses it too, with an explicit
 * `ESCAPE '\'`.
 */
export function likeLiteral(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
