import type { Location, Storage } from "../scim/filter/sql";

/**
 * Where each SCIM attribute lives in our tables, for filters and sorting. Hot attributes have real,
 * indexed columns (userName through its lower-cased unique key); everything else is read from the
 * JSONB `resource` document.
 */

const json: Location = { kind: "json", column: "resource" };

const USER_COLUMNS: Record<string, Location> = {
  id: { kind: "column", column: "id", type: "uuid" },
  username: { kind: "column", column: "user_name_key", type: "text", lowered: true },
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
  displayname: { kind: "column", column: "display_name_key", type: "text", lowered: true },
  externalid: { kind: "column", column: "external_id", type: "text" },
  "meta.created": { kind: "column", column: "created_at", type: "timestamptz" },
  "meta.lastmodified": { kind: "column", column: "updated_at", type: "timestamptz" },
};

const members: Location = { kind: "memberTable", table: "idp_group_members", groupColumn: "group_id", memberColumn: "user_id" };

export const groupStorage: Storage = (path) =>
  path.attribute.name === "members" ? members : (GROUP_COLUMNS[path.canonical.toLowerCase()] ?? json);
