import { z } from "zod";

/** The sessions routes' answers (src/admin/sessions-router.ts), for the OpenAPI document and the responses test. */

const time = z.iso.datetime({ offset: true });

export const createdSessionSchema = z
  .strictObject({
    token_name: z.string().describe("The admin token signed in with."),
    expires_at: time.describe("When the session ends whatever happens (SESSION_MAX_AGE after sign-in)."),
    idle_expires_at: time.describe("When it ends unless used before (SESSION_IDLE_TIMEOUT after the last request; requests sent with `X-Background: 1` do not count)."),
    csrf_token: z.string().describe("Send it as X-CSRF-Token on every POST, PUT, PATCH and DELETE made with the cookie. Keep it in memory, not in web storage."),
  })
  .meta({ id: "Session", description: "A browser session: the cookie holds its secret; these are its lifetimes and CSRF token." });

export const currentSessionSchema = z
  .strictObject({
    token_name: z.string().describe("The admin token this request is authenticated as."),
    via: z.enum(["session", "token"]).describe("`session`: the session cookie; `token`: a bearer or Coder-Session-Token header."),
    session: createdSessionSchema.nullable().describe("The session, when `via` is `session`."),
  })
  .meta({ id: "CurrentSession", description: "Who is signed in." });
