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

const USER_COLUMNS: Record<string, Location> = {
  id: { kind: "column", column: "id", type: "uuid" },
  username: { kind: "column", column: "user_name", type: "text", key: userNameKey },
  externalid: { kind: "column", column: "external_id", type: "text" },
  "emails.value": { kind: "textArray", column: "emails", lowered: true },
  "meta.created": { kind: "column", column: "created_at", type: "timestamptz" },
  "meta.lastmodified": { kind: "column", column: "updated_at", type: "timestamptz" },
  // `active` is not stored in the document: the record's status is the truth.
  active: { kind: "booleanExpr", sql: (a) => `${a}.status <> 'suspended'` },
};

export const userStorage: Storage = (path) => USER_COLUMNS[path.canonical.toLowerCase()] ?? json;

const GROUP_COLUMNS: Record<string, Location> = {
  id: { kind: "column", column: "id", type: "uuid" },
  displayname: { kind: "column", column: "display_name", type: "text", key: displayNameKey },
  externalid: { kind: "column", column: "external_id", type: "text" },
  "meta.created": { kind: "column", column: "created_at", type: "timestamptz" },
  "meta.lastmodified": { kind: "column", column: "updated_at", type: "timestamptz" },
};

const members: Location = { kind: "memberTable", table: "idp_group_members", groupColumn: "group_id", memberColumn: "user_id" };

export const groupStorage: Storage = (path) =>
  path.attribute.name === "members" ? members : (GROUP_COLUMNS[path.canonical.toLowerCase()] ?? json);
