import type { z } from "zod";
import { AdminError } from "./errors";

/** The largest value of a PostgreSQL `integer` column (and of Prisma's `Int`). */
export const INT32_MAX = 2_147_483_647;

/** Parses an admin API request body with zod; failures become Coder-style `validations`. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  throw new AdminError(400, "Validation failed.", {
    validations: r.error.issues.map((i) => ({ field: i.path.join(".") || "body", detail: i.message })),
  });
}

/** Parses query parameters with zod; failures are a 400 naming each bad parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const r = schema.safeParse(query);
  if (r.success) return r.data;
  throw new AdminError(400, "Invalid query parameters.", {
    validations: r.error.issues.map((i) => ({ field: i.path.join("."), detail: i.message })),
  });
}
