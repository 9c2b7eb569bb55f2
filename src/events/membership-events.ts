import type { DomainEvent } from "./outbox";

/**
 * The outbound events of membership changes, in one shape whoever makes the change: IdP sync
 * (src/sync/events.ts, with the rule behind it), provisioning's default-organization join, an admin's
 * group edit (src/directory/admin-groups.ts) and an admin's organization member changes
 * (src/directory/organization-members.ts). README's Webhooks table documents these payloads.
 */

/** Who the change is about. */
export interface EventMember {
  user_id: string;
  username: string;
}

/** Why sync made the change (describeReason's `{rule, field?, value?}`); absent for an admin's change. */
export interface EventWhy {
  rule: string;
  field?: string;
  value?: string;
}

interface EventOptions {
  /** The source of the grant, where the event says it (sync: on additions only). */
  source?: "sync" | "manual";
  why?: EventWhy;
}

const extras = (o: EventOptions) => ({ ...(o.source ? { source: o.source } : {}), ...(o.why ?? {}) });

export function organizationMemberEvent(action: "add" | "remove", organizationId: string, who: EventMember, o: EventOptions = {}): DomainEvent {
  return { type: action === "add" ? "organization_member.added" : "organization_member.removed", data: { organization_id: organizationId, ...who, ...extras(o) } };
}

export function groupMemberEvent(action: "add" | "remove", group: { id: string | null; name: string; organizationId: string }, who: EventMember, o: EventOptions = {}): DomainEvent {
  return {
    type: action === "add" ? "group_member.added" : "group_member.removed",
    data: { group_id: group.id, group_name: group.name, organization_id: group.organizationId, ...who, ...extras(o) },
  };
}

/** A member's organization roles after a change (sorted), sent whenever the set of role names changed. */
export function memberRolesChangedEvent(organizationId: string, who: EventMember, roles: readonly string[]): DomainEvent {
  return { type: "member_roles.changed", data: { organization_id: organizationId, ...who, roles: [...roles].sort() } };
}
