import { z } from "zod";
import type { AdminErrorBody } from "../errors";
import type { AdminGroup } from "../../directory/admin-groups";
import type { AdminOrganization, AdminOrganizationMember } from "../../directory/admin-organizations";
import type { AdminUser, AdminUserScim } from "../../directory/admin-users";
import type { UserGrants } from "../../directory/grant-explain";
import type { NameCollisionList } from "../../directory/name-collisions";
import type { GroupSyncSettings, RoleSyncSettings } from "../../sync/expected";
import type { OrganizationSyncSettings } from "../../sync/organization-settings";

/**
 * The admin API's answers as zod schemas (runs, webhooks, events and audit in ./activity-responses.ts), for the OpenAPI document (their JSON Schema is the documented
 * response). Strict objects: a field the code adds without adding it here fails the test that parses
 * real answers with these (test/admin/openapi-responses.test.ts), and `Same<…>` below fails the
 * typecheck when a view type and its schema part ways. Names and descriptions are zod metadata
 * (`.meta({ id })`, `.describe()`, kept in zod's registry when this module loads and never changed):
 * a schema with an id is a component of the document.
 */

/** True only when A and B are the same type; `const x: Same<A, B> = true` is then a compile-time check. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** An ISO 8601 time with its offset, as every answer writes times. */
export const time = z.iso.datetime({ offset: true });

export const adminErrorSchema = z
  .strictObject({
    message: z.string(),
    detail: z.string().optional(),
    validations: z.array(z.strictObject({ field: z.string(), detail: z.string() })).optional(),
  })
  .meta({ id: "Error", description: "Every admin API error (Coder's `codersdk.Response`): `validations` names each bad field." });
const errorSame: Same<z.output<typeof adminErrorSchema>, AdminErrorBody> = true;

const roleSchema = z.strictObject({ name: z.string(), display_name: z.string() });

export const userSchema = z
  .strictObject({
    id: z.uuid(),
    username: z.string(),
    email: z.string(),
    name: z.string(),
    avatar_url: z.string(),
    status: z.enum(["active", "dormant", "suspended"]),
    login_type: z.string(),
    organization_ids: z.array(z.uuid()),
    roles: z.array(roleSchema).describe("Site roles: the bridge grants none (`member` is implicit, as in Coder)."),
    created_at: time,
    updated_at: time,
    last_seen_at: time.nullable(),
  })
  .meta({ id: "User", description: "A user as Coder's `codersdk.User`." });
const userSame: Same<z.output<typeof userSchema>, AdminUser> = true;

export const userScimSchema = z
  .strictObject({
    user_id: z.uuid(),
    user_name: z.string().describe("SCIM userName as the IdP sent it."),
    external_id: z.string().nullable(),
    version: z.number().int().describe("Incremented on every change of the resource (its ETag)."),
    resource: z.record(z.string(), z.unknown()).nullable().describe("The SCIM resource, canonical attribute names; null once the IdP deleted it."),
    claims: z.record(z.string(), z.unknown()).describe("Claim name → value(s), as IdP sync reads them."),
  })
  .meta({ id: "UserScim" });
const userScimSame: Same<z.output<typeof userScimSchema>, AdminUserScim> = true;

export const userListSchema = z.strictObject({ users: z.array(userSchema), count: z.number().int() }).meta({ id: "UserList" });

export const tokenSchema = z
  .strictObject({
    id: z.uuid(),
    name: z.string(),
    scope: z.enum(["scim", "admin"]),
    hint: z.string().describe("The token's last characters, to tell tokens apart; never the secret."),
    origin: z.string().describe("Where it was made: `api`, `cli` or `env`."),
    created_at: time,
    last_used_at: time.nullable(),
    revoked_at: time.nullable(),
  })
  .meta({ id: "Token", description: "A bearer token, without its secret." });

export const createdTokenSchema = tokenSchema
  .extend({ token: z.string().describe("The secret, shown this once.") })
  .meta({ id: "CreatedToken", description: "A new token with its secret, which is never shown again." });

export const organizationSchema = z
  .strictObject({
    id: z.uuid(),
    name: z.string(),
    display_name: z.string(),
    description: z.string(),
    icon: z.string(),
    is_default: z.boolean(),
    created_at: time,
    updated_at: time,
  })
  .meta({ id: "Organization" });
const organizationSame: Same<z.output<typeof organizationSchema>, AdminOrganization> = true;

export const organizationMemberSchema = z
  .strictObject({
    organization_id: z.uuid(),
    user_id: z.uuid(),
    username: z.string(),
    name: z.string(),
    email: z.string(),
    avatar_url: z.string(),
    global_roles: z.array(roleSchema),
    roles: z.array(roleSchema.extend({ organization_id: z.uuid() })),
    source: z.enum(["sync", "manual"]).describe("`sync`: IdP sync manages the membership; `manual`: an admin made it."),
    created_at: time,
    updated_at: time,
  })
  .meta({ id: "OrganizationMember" });
export const organizationMemberPageSchema = z
  .strictObject({ members: z.array(organizationMemberSchema), count: z.number().int().describe("All the organization's members.") })
  .meta({ id: "OrganizationMemberPage" });

const memberSame: Same<z.output<typeof organizationMemberSchema>, AdminOrganizationMember> = true;

const groupMemberSchema = z
  .strictObject({
    id: z.uuid(),
    username: z.string(),
    email: z.string(),
    name: z.string(),
    avatar_url: z.string(),
    status: z.string(),
    login_type: z.string(),
    created_at: time,
    updated_at: time,
    last_seen_at: time.nullable(),
    membership_source: z.enum(["sync", "manual", "implicit"]).describe("`implicit`: the organization's Everyone group."),
  })
  .meta({ id: "GroupMember" });

export const groupMemberPageSchema = z.strictObject({ members: z.array(groupMemberSchema), count: z.number().int() }).meta({ id: "GroupMemberPage" });

export const groupSchema = z
  .strictObject({
    id: z.uuid(),
    name: z.string(),
    display_name: z.string(),
    organization_id: z.uuid(),
    organization_name: z.string(),
    organization_display_name: z.string(),
    members: z.array(groupMemberSchema),
    total_member_count: z.number().int(),
    avatar_url: z.string(),
    quota_allowance: z.number().int(),
    source: z.enum(["user", "oidc"]).describe("`oidc`: created by group sync."),
  })
  .meta({ id: "Group", description: "An application group (Coder's `codersdk.Group`)." });
const groupSame: Same<z.output<typeof groupSchema>, AdminGroup> = true;

const targets = z.record(z.string(), z.array(z.string())).describe("Claim value → the ids (organizations, groups) or names (roles) it grants.");

export const organizationSyncSchema = z
  .strictObject({ field: z.string().describe("The claim read; empty: mapping off."), mapping: targets, organization_assign_default: z.boolean() })
  .meta({ id: "OrganizationSyncSettings" });
const organizationSyncSame: Same<z.output<typeof organizationSyncSchema>, OrganizationSyncSettings> = true;

export const groupSyncSchema = z
  .strictObject({
    field: z.string().describe("The claim read; empty: group sync off."),
    mapping: targets.nullable(),
    regex_filter: z.string().nullable(),
    auto_create_missing_groups: z.boolean(),
    legacy_group_name_mapping: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: "GroupSyncSettings" });
const groupSyncSame: Same<z.output<typeof groupSyncSchema>, GroupSyncSettings> = true;

export const roleSyncSchema = z.strictObject({ field: z.string().describe("The claim read; empty: role sync off."), mapping: targets.nullable() }).meta({ id: "RoleSyncSettings" });
const roleSyncSame: Same<z.output<typeof roleSyncSchema>, RoleSyncSettings> = true;

const dimension = z.enum(["organization", "group", "role"]);
const reason = z
  .strictObject({ rule: z.string(), field: z.string().optional(), value: z.string().optional() })
  .describe("A sync rule as the audit log and reconciliation reports name it, with the claim field and value behind it.");
const auditRef = z.strictObject({ id: z.uuid(), time, actor: z.string(), action: z.string() }).describe("The latest audit row that made a grant of this source.");
const grantBase = {
  source: z.enum(["sync", "manual", "implicit"]),
  reason: reason.nullable().describe("Why the current settings grant it (sync grants only)."),
  explained: z.boolean().describe("False only for a sync grant the current settings don't grant."),
  resync_removes: reason.nullable().describe("Why a resync would remove it; null: a resync keeps it."),
  note: z.string().nullable(),
  audit: auditRef.nullable(),
};

export const userGrantsSchema = z
  .strictObject({
    user_id: z.uuid(),
    username: z.string(),
    sync_enabled: z.boolean().describe("False when no sync dimension is configured anywhere."),
    organizations: z.array(
      z.strictObject({
        ...grantBase,
        source: z.enum(["sync", "manual"]).nullable().describe("null: not a member, yet groups or roles of it are held."),
        organization_id: z.uuid(),
        organization_name: z.string(),
        groups: z.array(z.strictObject({ ...grantBase, group_id: z.uuid(), group_name: z.string() })),
        roles: z.array(z.strictObject({ ...grantBase, role: z.string() })),
      }),
    ),
    pending: z
      .array(
        z.strictObject({
          dimension,
          organization_id: z.uuid(),
          organization_name: z.string(),
          group_id: z.uuid().nullable().optional().describe("null: a group auto-create would make."),
          group_name: z.string().optional(),
          role: z.string().optional(),
          reason,
        }),
      )
      .describe("What a resync would add under the current settings."),
    problems: z.array(z.strictObject({ dimension, organization_id: z.uuid().nullable(), message: z.string() })).describe("Sync problems for this user under the current settings."),
  })
  .meta({ id: "UserGrants", description: "Every organization, group and role the user holds, each with why." });
const grantsSame: Same<z.output<typeof userGrantsSchema>, UserGrants> = true;

const collidingUser = z.strictObject({ id: z.uuid(), user_name: z.string(), username: z.string(), status: z.string(), created_at: time });
const collidingGroup = z.strictObject({ id: z.uuid(), display_name: z.string(), created_at: time });

export const nameCollisionsSchema = z
  .strictObject({
    users: z.array(z.strictObject({ user: collidingUser, key_holder: collidingUser.nullable() })),
    groups: z.array(z.strictObject({ group: collidingGroup, key_holder: collidingGroup.nullable() })),
  })
  .meta({ id: "NameCollisions", description: "Records whose name became another's when name keys were recomputed, each with the record holding the name (null: nobody)." });
const collisionsSame: Same<z.output<typeof nameCollisionsSchema>, NameCollisionList> = true;

// The compile-time checks above, referenced so that no linter takes them for dead code.
export const VIEW_TYPES_MATCH = [errorSame, userSame, userScimSame, organizationSame, memberSame, groupSame, organizationSyncSame, groupSyncSame, roleSyncSame, grantsSame, collisionsSame] as const;
