import type { Prisma } from "../../generated/prisma/client";
import type { Attributes } from "../../scim/resource-service";
import { DirectoryError } from "../errors";
import { isMarkedKey, keyOnWrite, nameKey, nameProblem } from "../name-key";

/**
 * What both paths of a SCIM group write (group-service.ts on the driver, group-full-path.ts on Prisma)
 * derive from the attributes, and the errors they answer with: the same rules, whichever path runs.
 */

export const PRECONDITION = "the resource was modified since you read it (If-Match does not match meta.version)";

/** The group as a write needs it. */
export interface CurrentGroup {
  id: string;
  displayName: string;
  displayNameKey: string;
}

export interface GroupColumns {
  displayName: string;
  displayNameKey: string;
  externalId: string | null;
}

export function memberIdsOf(attrs: Attributes): string[] {
  const members = Array.isArray(attrs.members) ? (attrs.members as { value?: unknown }[]) : [];
  return members.map((m) => m.value).filter((v): v is string => typeof v === "string");
}

/** The document without members (they live in their own table). */
export function stored(attrs: Attributes): Prisma.InputJsonObject {
  const { members: _members, ...rest } = attrs;
  return rest as Prisma.InputJsonObject;
}

/**
 * The columns derived from a group's attributes; the name is checked against the naming rules
 * (nameProblem: 400 invalidValue) unless it is the one `current` already has (a group written before
 * the rules keeps taking updates until renamed). A group whose key is marked (its name collided with
 * an older group's when keys were recomputed) keeps the mark while it keeps that name and another group
 * holds it; a rename to a name another group holds fails on the unique index (409) like any group's.
 * `holderOf` finds the group holding a key (one lookup, for marked groups alone).
 */
export async function groupColumns(attrs: Attributes, current: CurrentGroup | undefined, holderOf: (key: string) => Promise<string | undefined>): Promise<GroupColumns> {
  const displayName = String(attrs.displayName ?? "");
  if (displayName !== current?.displayName) {
    const problem = nameProblem(displayName, "displayName");
    if (problem !== undefined) throw new DirectoryError("invalid", problem);
  }
  let displayNameKey = nameKey(displayName);
  if (current && isMarkedKey(current.id, current.displayNameKey)) {
    const holder = await holderOf(displayNameKey);
    displayNameKey = keyOnWrite({ id: current.id, key: current.displayNameKey, name: current.displayName }, displayNameKey, holder !== undefined && holder !== current.id);
  }
  return { displayName, displayNameKey, externalId: typeof attrs.externalId === "string" ? attrs.externalId : null };
}

export function conflict(attrs: Attributes): DirectoryError {
  return new DirectoryError("conflict", `displayName "${String(attrs.displayName ?? "")}" is already taken`);
}
