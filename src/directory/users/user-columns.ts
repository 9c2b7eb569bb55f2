import type { Attributes } from "../../scim/resource-service";
import { DirectoryError } from "../errors";
import { nameKey, nameProblem } from "../name-key";

/**
 * The columns of `users` that are derived from the SCIM attributes on every write, so that lookups
 * and filters hit indexes instead of scanning JSON. Pure.
 */
export interface UserColumns {
  /** As the IdP sent it. */
  userName: string;
  /** Its identity: nameKey(userName), under the unique index. */
  userNameKey: string;
  externalId: string | null;
  email: string | null;
  emails: string[];
  givenName: string | null;
  familyName: string | null;
  displayName: string | null;
  /** `active` as sent; undefined when the IdP did not say. */
  active: boolean | undefined;
}

interface EmailItem {
  value?: unknown;
  type?: unknown;
  primary?: unknown;
}

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/** The primary email: the one marked primary, else the first `work` one, else the first. */
export function primaryEmail(emails: readonly EmailItem[]): string | null {
  const pick = emails.find((e) => e.primary === true) ?? emails.find((e) => e.type === "work") ?? emails[0];
  return pick ? str(pick.value) : null;
}

export function userColumns(attrs: Attributes): UserColumns {
  const userName = typeof attrs.userName === "string" ? attrs.userName : "";
  const emails = Array.isArray(attrs.emails) ? (attrs.emails as EmailItem[]) : [];
  const name = attrs.name && typeof attrs.name === "object" ? (attrs.name as Record<string, unknown>) : {};
  const primary = primaryEmail(emails);
  return {
    userName,
    // RFC 7643 §4.1.1: userName is case-insensitive; beyond case, one identity per name as read.
    userNameKey: nameKey(userName),
    externalId: str(attrs.externalId),
    email: primary?.toLowerCase() ?? null,
    // Items without a string value (`{}` is a valid email item: no sub-attribute is required) have none to index.
    emails: [...new Set(emails.map((e) => str(e.value)?.toLowerCase()).filter((v): v is string => v !== undefined))],
    givenName: str(name.givenName),
    familyName: str(name.familyName),
    displayName: str(attrs.displayName),
    active: typeof attrs.active === "boolean" ? attrs.active : undefined,
  };
}

/**
 * Refuses (400 invalidValue) a userName that can't be an identity: blank, with a control or format
 * character, or too long once keyed (nameProblem). A name equal to the one already `stored` passes: a
 * record written before these rules keeps taking updates from its IdP (deactivation above all) until
 * its name changes.
 */
export function checkUserName(userName: string, stored?: string): void {
  if (userName === stored) return;
  const problem = nameProblem(userName, "userName");
  if (problem !== undefined) throw new DirectoryError("invalid", problem);
}

export type UserStatus = "active" | "dormant" | "suspended";

/**
 * DESIGN.md: `active=false` suspends; `active=true` on a suspended user makes it active; a user the
 * IdP says nothing about keeps its status (a new one starts active).
 */
export function nextStatus(current: UserStatus | undefined, active: boolean | undefined): UserStatus {
  if (active === false) return "suspended";
  if (active === true) return current === undefined || current === "suspended" ? "active" : current;
  return current ?? "active";
}
