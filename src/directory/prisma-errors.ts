/** Recognising database errors that carry meaning for the records layer. */

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are uuids; anything else can't name a record (and must not reach a ::uuid cast). */
export function isUuid(id: string): boolean {
  return UUID_RE.test(id);
}

/**
 * A unique violation (Prisma P2002, or PostgreSQL 23505 from raw SQL), optionally on a column or
 * constraint whose name contains `field`.
 */
export function isUniqueViolation(err: unknown, field?: string): boolean {
  if (!err || typeof err !== "object") return false;
  const e = err as { code?: unknown; meta?: unknown; message?: unknown; cause?: unknown };
  const isUnique = e.code === "P2002" || e.code === "23505";
  if (!isUnique) return e.cause !== undefined && e.cause !== err ? isUniqueViolation(e.cause, field) : false;
  if (field === undefined) return true;
  const text = `${JSON.stringify(e.meta ?? {})} ${typeof e.message === "string" ? e.message : ""}`;
  return text.includes(field);
}
