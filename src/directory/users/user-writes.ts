import type { Attributes, WriteContext } from "../../scim/resource-service";
import type { DomainEvent } from "../../events/outbox";
import { organizationMemberEvent } from "../../events/membership-events";
import { changeEventsOf } from "../../events/records";
import { toAdminUser } from "../admin-users";
import type { AuditEntry } from "../audit";
import { deriveClaims } from "../claims";
import { nextStatus, type UserColumns } from "./user-columns";
import { storedResource } from "./user-full-path";
import type { LockedUser, UserRow, UserValues } from "./user-sql";

/**
 * What a SCIM user write stores and tells (pure): the columns, the audit rows, the outbox events with
 * the user's admin record, and the row the response is rendered from. The SQL (user-sql.ts) writes
 * them in one statement.
 */
export interface UserWrite {
  values: UserValues & { at: Date };
  audit: AuditEntry[];
  events: DomainEvent[];
  row: UserRow;
}

/**
 * A new user. `username` may be a placeholder when the statement picks the handle (createUser fills
 * it into the events). `organizationId`: the default organization it joins (organization_assign_default).
 */
export function newUserWrite(attrs: Attributes, cols: UserColumns, ctx: WriteContext, id: string, at: Date, username: string, organizationId: string | null): UserWrite {
  const status = nextStatus(undefined, cols.active);
  const resource = storedResource(attrs);
  const record = toAdminUser({ ...cols, id, username, status, loginType: "oidc", createdAt: at, updatedAt: at, memberships: organizationId ? [{ organizationId }] : [] });
  const audit: AuditEntry[] = [{ actor: ctx.actor, action: "user.created", resourceType: "user", resourceId: id, userId: id }];
  const events = changeEventsOf(record, undefined, "user.created");
  if (organizationId) {
    // Sync manages the default membership (source `sync`); the audit row says which rule made it.
    audit.push({
      actor: ctx.actor,
      action: "organization_member.added",
      resourceType: "organization_member",
      resourceId: organizationId,
      userId: id,
      details: { dimension: "organization", rule: "default", organization_id: organizationId },
    });
    events.push(organizationMemberEvent("add", organizationId, { user_id: id, username }, { source: "sync" }));
  }
  return {
    values: { ...cols, at, status, claims: deriveClaims(attrs, []), resource },
    audit,
    events,
    row: { id, resource, status, version: 1, createdAt: at, updatedAt: at, groups: [] },
  };
}

/** A replace or a changing patch of `current` (`action`: user.replaced or user.patched). */
export function updateUserWrite(current: LockedUser, attrs: Attributes, cols: UserColumns, userNameKey: string, ctx: WriteContext, action: string): UserWrite {
  const id = current.id;
  const at = new Date();
  const status = nextStatus(current.status, cols.active);
  const resource = storedResource(attrs);
  const record = toAdminUser({
    ...cols,
    id,
    username: current.username,
    status,
    loginType: current.loginType,
    createdAt: current.createdAt,
    updatedAt: at,
    memberships: current.organizationIds.map((organizationId) => ({ organizationId })),
  });
  return {
    values: { ...cols, userNameKey, at, status, claims: deriveClaims(attrs, current.groups.map((g) => g.display)), resource },
    audit: [{ actor: ctx.actor, action, resourceType: "user", resourceId: id, userId: id }],
    events: changeEventsOf(record, current.status, "user.updated"),
    row: { id, resource, status, version: current.version + 1, createdAt: current.createdAt, updatedAt: at, groups: current.groups },
  };
}
