import type { KeyColumn, Location, Storage } from "../scim/filter/sql";
import { nameKey } from "./name-key";

/**
 * Where each SCIM attribute lives in our tables, for filters and sorting. Hot attributes have real,
 * indexed columns (userName through its unique key); everything else is read from the JSONB
 * `resource` document.
 *
 * userName and a Group's displayName: `eq`/`ne` match on the name's identity (nameKey, the unique
 * key), so `userName eq "ALICE "` finds `alice` as uniqueness would refuse a second one, through the
 * unique index. `co`/`sw`/`ew`/`gt`/`ge`/`lt`/`le` and sorting compare lower() of the name as stored:
 * substrings and orderings of a normalised key are not what the IdP sent (NFKC can change lengths,
 * folding turns ß into ss), and a record whose name collided (marked key) stays findable by its name.
 */

const json: Location = { kind: "json", column: "resource" };
const userNameKey: KeyColumn = { column: "user_name_key", of: nameKey };
const displayNameKey: KeyColumn = { column: "display_name_key", of: nameKey };

/**
 * A user's read-only `groups` (RFC 7643 §4.1.2): the same memberships that the attribute shows
 * (users/user-sql.ts ROW), one element per idp_group_members row of the user, so filters on
 * `groups.value`, `groups.display` and `groups[...]` are EXISTS over its indexes (user_id; the
 * primary key's group_id, which `groups.value eq` drives a semi-join from). The LEFT JOIN
 * is an inner join here (a membership's group always exists: foreign key), and lets the planner drop
 * idp_groups when only `value` is asked for. `display` matches as a Group's displayName does (its key).
 */
const userGroups: Location = {
  kind: "related",
  rows: `(SELECT mem.user_id AS owner, mem.group_id AS value, grp.display_name AS display, grp.display_name_key AS display_key
            FROM idp_group_members mem LEFT JOIN idp_groups grp ON grp.id = mem.group_id)`,
  owner: "owner",
  sub: {
    value: { kind: "column", column: "value", type: "uuid" },
    display: { kind: "column", column: "display", type: "text", key: { column: "display_key", of: nameKey } },
    type: { kind: "literal", value: "direct" },
  },
  order: ["display", "value"],
};

const USER_COLUMNS: Record<string, Location> = {
  id: { kind: "column", column: "id", type: "uuid" },
  username: { kind: "column", column: "user_name", type: "text", key: userNameKey },
  externalid: { kind: "column", column: "external_id", type: "text" },
  "emails.value": { kind: "textArray", column: "emails", lowered: true },
  "meta.created": { kind: "column", column: "created_at", type: "timestamptz" },
  "meta.lastmodified": { kind: "column", column: "updated_at", type: "timestamptz" },
  // `active` is not stored in the document: the record's status is the truth.
  active: { kind: "booleanExpr", sql: (a) => `${a}.status <> 'suspended'` },
  // Rendered, not stored: what the response's meta says.
  "meta.resourcetype": { kind: "literal", value: "User" },
};

export const userStorage: Storage = (path) =>
  !path.extension && path.attribute.name === "groups" ? userGroups : (USER_COLUMNS[path.canonical.toLowerCase()] ?? json);

const GROUP_COLUMNS: Record<string, Location> = {
  id: { kind: "column", column: "id", type: "uuid" },
  displayname: { kind: "column", column: "display_name", type: "text", key: displayNameKey },
  externalid: { kind: "column", column: "external_id", type: "text" },
  "meta.created": { kind: "column", column: "created_at", type: "timestamptz" },
  "meta.lastmodified": { kind: "column", column: "updated_at", type: "timestamptz" },
  "meta.resourcetype": { kind: "literal", value: "Group" },
};

const members: Location = { kind: "memberTable", table: "idp_group_members", groupColumn: "group_id", memberColumn: "user_id" };

export const groupStorage: Storage = (path) =>
  path.attribute.name === "members" ? members : (GROUP_COLUMNS[path.canonical.toLowerCase()] ?? json);

/** A table of SCIM resources, for lists over several types (the root query): rows, condition, storage. */
export interface ResourceTable {
  table: string;
  /** What every row listed as a resource meets (users: the SCIM resource exists). */
  where: (alias: string) => string;
  storage: Storage;
}

export const userTable: ResourceTable = { table: "users", where: (a) => `${a}.resource IS NOT NULL`, storage: userStorage };
export const groupTable: ResourceTable = { table: "idp_groups", where: () => "TRUE", storage: groupStorage };
