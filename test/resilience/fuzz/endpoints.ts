import type { RequestDoc } from "./mutate";

/**
 * Every write endpoint of both APIs, and the list and search endpoints with their query parameters,
 * each as a valid request the fuzzer starts from. Destructive ones get a fresh target per request.
 */

export const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

export type Method = "get" | "post" | "put" | "patch" | "delete";
export type Api = "scim" | "admin";

/** What the fuzzer's requests point at, made before it starts. */
export interface Targets {
  user: string;
  group: string;
  org: string;
  org2: string;
  adminGroup: string;
  webhook: string;
  dryRun: string;
}

/** Makes fresh targets for destructive requests. */
export interface Maker {
  user(n: number): Promise<string>;
  group(n: number): Promise<string>;
  adminGroup(n: number): Promise<string>;
  webhook(): Promise<string>;
  token(n: number): Promise<string>;
  dryRun(): Promise<string>;
}

export interface Endpoint {
  name: string;
  api: Api;
  method: Method;
  /** With `{param}` placeholders filled from `params`. */
  path: string;
  /** A valid request; `n` makes names unique. */
  request(t: Targets, n: number, make: Maker): RequestDoc | Promise<RequestDoc>;
  /** Turns the (mutated) body into what is sent. */
  finalize?: (body: unknown) => unknown;
  /** Share of the runs relative to 1 (slow endpoints get fewer). */
  weight?: number;
  /** Runs go on in the background after a 2xx: wait for them before the next request. */
  settle?: boolean;
}

const user = (n: number, userName: string, t: Targets) => ({
  schemas: [USER, ENT],
  userName,
  externalId: `ext-${n}`,
  name: { givenName: "Fuzz", familyName: "Er", formatted: "Fuzz Er", middleName: "Q" },
  displayName: "Fuzz Er",
  nickName: "fz",
  profileUrl: "https://example.com/fz",
  title: "Engineer",
  userType: "Employee",
  preferredLanguage: "en",
  locale: "en-US",
  timezone: "Europe/Berlin",
  active: true,
  password: "not-stored",
  emails: [{ value: userName, type: "work", primary: true }],
  phoneNumbers: [{ value: "+1 555 0100", type: "work" }],
  addresses: [{ streetAddress: "1 Main St", locality: "Berlin", postalCode: "10115", country: "DE", type: "work", primary: true }],
  roles: [{ value: "dev" }],
  entitlements: [{ value: "vpn" }],
  [ENT]: { employeeNumber: String(n), department: "R&D", costCenter: "42", manager: { value: t.user } },
});

const doc = (body?: unknown, params: Record<string, unknown> = {}, query: Record<string, unknown> = {}): RequestDoc => ({ params, query, ...(body !== undefined ? { body } : {}) });

/** RFC 4180 text from rows of cells; anything else is sent as it is. */
function csvText(body: unknown): unknown {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return body;
  const data = (body as Record<string, unknown>).data;
  if (!Array.isArray(data)) return body;
  const cell = (c: unknown) => {
    const s = typeof c === "string" ? c : JSON.stringify(c) ?? "";
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return { ...body, data: data.map((row) => (Array.isArray(row) ? row.map(cell).join(",") : cell(row))).join("\n") };
}

export const endpoints: Endpoint[] = [
  // SCIM writes.
  { name: "POST /Users", api: "scim", method: "post", path: "/Users", request: (t, n) => doc(user(n, `fz${n}@corp.example`, t)) },
  { name: "PUT /Users/{id}", api: "scim", method: "put", path: "/Users/{id}", request: (t, n) => doc(user(n, "target@corp.example", t), { id: t.user }) },
  {
    name: "PATCH /Users/{id}",
    api: "scim",
    method: "patch",
    path: "/Users/{id}",
    request: (t) =>
      doc(
        {
          schemas: [PATCH],
          Operations: [
            { op: "replace", path: "title", value: "Lead" },
            { op: "add", path: "emails", value: [{ value: "t2@corp.example", type: "home" }] },
            { op: "replace", value: { displayName: "Target", active: true, [`${ENT}:department`]: "Ops" } },
            { op: "remove", path: 'emails[type eq "home"]' },
            { op: "Replace", path: "name.givenName", value: "T" },
          ],
        },
        { id: t.user },
      ),
  },
  { name: "DELETE /Users/{id}", api: "scim", method: "delete", path: "/Users/{id}", request: async (_t, n, make) => doc(undefined, { id: await make.user(n) }) },
  { name: "POST /Groups", api: "scim", method: "post", path: "/Groups", request: (t, n) => doc({ schemas: [GROUP], displayName: `FzGroup ${n}`, externalId: `g-${n}`, members: [{ value: t.user, type: "User" }] }) },
  { name: "PUT /Groups/{id}", api: "scim", method: "put", path: "/Groups/{id}", request: (t) => doc({ schemas: [GROUP], displayName: "Target", members: [{ value: t.user }] }, { id: t.group }) },
  {
    name: "PATCH /Groups/{id}",
    api: "scim",
    method: "patch",
    path: "/Groups/{id}",
    request: (t) =>
      doc(
        {
          schemas: [PATCH],
          Operations: [
            { op: "add", path: "members", value: [{ value: t.user }] },
            { op: "remove", path: `members[value eq "${t.user}"]` },
            { op: "add", value: { members: [{ value: t.user }] } },
            { op: "replace", path: "displayName", value: "Target" },
          ],
        },
        { id: t.group },
      ),
  },
  { name: "DELETE /Groups/{id}", api: "scim", method: "delete", path: "/Groups/{id}", request: async (_t, n, make) => doc(undefined, { id: await make.group(n) }) },
  {
    name: "POST /Bulk",
    api: "scim",
    method: "post",
    path: "/Bulk",
    request: async (t, n, make) =>
      doc({
        schemas: [BULK],
        failOnErrors: 3,
        Operations: [
          { method: "POST", path: "/Groups", bulkId: `g${n}`, data: { schemas: [GROUP], displayName: `FzBulk ${n}`, members: [{ value: `bulkId:u${n}` }] } },
          { method: "POST", path: "/Users", bulkId: `u${n}`, data: user(n, `bulk${n}@corp.example`, t) },
          { method: "PATCH", path: `/Users/${t.user}`, version: "*", data: { schemas: [PATCH], Operations: [{ op: "replace", path: "title", value: "Lead" }] } },
          { method: "DELETE", path: `/Users/${await make.user(n)}` },
        ],
      }),
    weight: 0.5,
  },
  // SCIM searches and lists.
  {
    name: "POST /Users/.search",
    api: "scim",
    method: "post",
    path: "/Users/.search",
    request: () => doc({ schemas: [SEARCH], filter: 'userName sw "fz" and (active eq true or title pr)', startIndex: 1, count: 10, sortBy: "userName", sortOrder: "descending", attributes: ["userName", "emails"] }),
  },
  { name: "POST /Groups/.search", api: "scim", method: "post", path: "/Groups/.search", request: () => doc({ schemas: [SEARCH], filter: 'displayName co "Fz"', startIndex: 2, count: 5, excludedAttributes: ["members"] }) },
  {
    name: "GET /Users",
    api: "scim",
    method: "get",
    path: "/Users",
    request: () => doc(undefined, {}, { filter: `emails[type eq "work"].value ew "@corp.example" and not (${ENT}:department eq "x")`, startIndex: "1", count: "10", sortBy: "name.familyName", sortOrder: "ascending", attributes: "userName,name" }),
  },
  { name: "GET /Groups", api: "scim", method: "get", path: "/Groups", request: (t) => doc(undefined, {}, { filter: `members[value eq "${t.user}"] or displayName eq "Target"`, startIndex: "1", count: "5", excludedAttributes: "members" }) },
  { name: "GET /Users/{id}", api: "scim", method: "get", path: "/Users/{id}", request: (t) => doc(undefined, { id: t.user }, { attributes: "userName,groups" }) },
  {
    name: "POST /.search",
    api: "scim",
    method: "post",
    path: "/.search",
    request: (t) => doc({ schemas: [SEARCH], filter: `userName sw "fz" or members[value eq "${t.user}"] or not (groups.display eq "Target")`, startIndex: 2, count: 5, sortBy: "displayName", sortOrder: "descending", attributes: ["userName", "members"] }),
  },
  { name: "GET / (root query)", api: "scim", method: "get", path: "/", request: () => doc(undefined, {}, { filter: 'meta.resourceType eq "Group" or title pr', startIndex: "1", count: "5", sortBy: "userName", excludedAttributes: "members" }) },

  // Admin writes.
  { name: "POST /organizations", api: "admin", method: "post", path: "/organizations", request: (_t, n) => doc({ name: `fz-org-${n}`, display_name: "Fuzz", description: "d", icon: "/icon.png" }) },
  {
    name: "POST /organizations/{org}/groups",
    api: "admin",
    method: "post",
    path: "/organizations/{org}/groups",
    request: (t, n) => doc({ name: `fz-group-${n}`, display_name: "Fuzz group", avatar_url: "https://example.com/a.png", quota_allowance: 10 }, { org: t.org }),
  },
  {
    name: "PATCH /groups/{group}",
    api: "admin",
    method: "patch",
    path: "/groups/{group}",
    request: (t) => doc({ display_name: "Admins", avatar_url: "", quota_allowance: 5, add_users: [t.user], remove_users: [] }, { group: t.adminGroup }),
  },
  { name: "DELETE /groups/{group}", api: "admin", method: "delete", path: "/groups/{group}", request: async (_t, n, make) => doc(undefined, { group: await make.adminGroup(n) }) },
  { name: "POST /organizations/{org}/members/{user}", api: "admin", method: "post", path: "/organizations/{org}/members/{user}", request: async (t, n, make) => doc(undefined, { org: t.org2, user: await make.user(n) }) },
  { name: "DELETE /organizations/{org}/members/{user}", api: "admin", method: "delete", path: "/organizations/{org}/members/{user}", request: async (t, n, make) => doc(undefined, { org: t.org, user: await make.user(n) }) },
  {
    name: "PUT /organizations/{org}/members/{user}/roles",
    api: "admin",
    method: "put",
    path: "/organizations/{org}/members/{user}/roles",
    request: (t) => doc({ roles: ["organization-auditor", "organization-member"] }, { org: t.org, user: t.user }),
  },
  { name: "PUT /users/{user}/status/suspend", api: "admin", method: "put", path: "/users/{user}/status/suspend", request: (t) => doc({}, { user: t.user }) },
  { name: "PUT /users/{user}/status/activate", api: "admin", method: "put", path: "/users/{user}/status/activate", request: (t) => doc({}, { user: t.user }) },
  { name: "PATCH /settings/idpsync/organization", api: "admin", method: "patch", path: "/settings/idpsync/organization", request: (t) => doc({ field: "groups", mapping: { Eng: [t.org2] }, organization_assign_default: true }) },
  { name: "PATCH /settings/idpsync/organization/config", api: "admin", method: "patch", path: "/settings/idpsync/organization/config", request: () => doc({ field: "groups", assign_default: true }) },
  {
    name: "PATCH /settings/idpsync/organization/mapping",
    api: "admin",
    method: "patch",
    path: "/settings/idpsync/organization/mapping",
    request: (t) => doc({ add: [{ given: "Eng", gets: t.org2 }], remove: [{ given: "Old", gets: t.org2 }] }),
  },
  {
    name: "PATCH /organizations/{org}/settings/idpsync/groups",
    api: "admin",
    method: "patch",
    path: "/organizations/{org}/settings/idpsync/groups",
    request: (t) => doc({ field: "groups", mapping: { Eng: [t.adminGroup] }, regex_filter: "^(Eng|Ops)", auto_create_missing_groups: false, legacy_group_name_mapping: { Old: "Eng" } }, { org: t.org }),
  },
  {
    name: "PATCH /organizations/{org}/settings/idpsync/groups/config",
    api: "admin",
    method: "patch",
    path: "/organizations/{org}/settings/idpsync/groups/config",
    request: (t) => doc({ field: "groups", regex_filter: null, auto_create_missing_groups: false }, { org: t.org }),
  },
  {
    name: "PATCH /organizations/{org}/settings/idpsync/groups/mapping",
    api: "admin",
    method: "patch",
    path: "/organizations/{org}/settings/idpsync/groups/mapping",
    request: (t) => doc({ add: [{ given: "Eng", gets: t.adminGroup }], remove: [] }, { org: t.org }),
  },
  { name: "PATCH /organizations/{org}/settings/idpsync/roles", api: "admin", method: "patch", path: "/organizations/{org}/settings/idpsync/roles", request: (t) => doc({ field: "roles", mapping: { dev: ["organization-admin"] } }, { org: t.org }) },
  { name: "PATCH /organizations/{org}/settings/idpsync/roles/config", api: "admin", method: "patch", path: "/organizations/{org}/settings/idpsync/roles/config", request: (t) => doc({ field: "roles" }, { org: t.org }) },
  {
    name: "PATCH /organizations/{org}/settings/idpsync/roles/mapping",
    api: "admin",
    method: "patch",
    path: "/organizations/{org}/settings/idpsync/roles/mapping",
    request: (t) => doc({ add: [{ given: "dev", gets: "organization-auditor" }], remove: [{ given: "x", gets: "organization-admin" }] }, { org: t.org }),
  },
  { name: "POST /webhooks", api: "admin", method: "post", path: "/webhooks", request: () => doc({ url: "http://127.0.0.1:9/fz", events: ["user.created", "group.updated"], description: "fuzz" }) },
  {
    name: "PATCH /webhooks/{id}",
    api: "admin",
    method: "patch",
    path: "/webhooks/{id}",
    request: (t) => doc({ url: "http://127.0.0.1:9/fz2", events: ["user.created"], description: "x", enabled: true }, { id: t.webhook }),
  },
  { name: "POST /webhooks/{id}/rotate-secret", api: "admin", method: "post", path: "/webhooks/{id}/rotate-secret", request: (t) => doc({}, { id: t.webhook }) },
  { name: "POST /webhooks/{id}/test", api: "admin", method: "post", path: "/webhooks/{id}/test", request: async (_t, _n, make) => doc(undefined, { id: await make.webhook() }) },
  { name: "DELETE /webhooks/{id}", api: "admin", method: "delete", path: "/webhooks/{id}", request: async (_t, _n, make) => doc(undefined, { id: await make.webhook() }) },
  { name: "POST /tokens", api: "admin", method: "post", path: "/tokens", request: (_t, n) => doc({ name: `fz-token-${n}`, scope: "scim" }) },
  { name: "DELETE /tokens/{token}", api: "admin", method: "delete", path: "/tokens/{token}", request: async (_t, n, make) => doc(undefined, { token: await make.token(n) }) },
  {
    name: "POST /reconciliations (resync)",
    api: "admin",
    method: "post",
    path: "/reconciliations",
    weight: 0.5,
    settle: true,
    request: (t) => doc({ kind: "resync", dry_run: true, organization: t.org, filter: 'userName eq "target@corp.example"', batch_size: 100 }, {}, { wait: "30" }),
  },
  {
    name: "POST /reconciliations (import JSON)",
    api: "admin",
    method: "post",
    path: "/reconciliations",
    weight: 0.5,
    settle: true,
    request: (t, n) =>
      doc(
        {
          kind: "import",
          dry_run: true,
          format: "json",
          data: {
            Users: { schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], Resources: [{ ...user(n, `imp${n}@corp.example`, t), id: "src-1" }, { schemas: [USER], id: "src-2", userName: "target@corp.example" }] },
            Groups: [{ schemas: [GROUP], displayName: "Imported", members: [{ value: "src-1" }, { value: t.user }] }],
          },
          suspend_missing: false,
          allow_mass_suspend: false,
          batch_size: 100,
        },
        {},
        { wait: "30" },
      ),
  },
  {
    name: "POST /reconciliations (import CSV)",
    api: "admin",
    method: "post",
    path: "/reconciliations",
    weight: 0.5,
    settle: true,
    finalize: csvText,
    request: (_t, n) =>
      doc(
        {
          kind: "import",
          dry_run: true,
          format: "csv",
          data: [
            ["userName", "givenName", "familyName", "email", "active", "department", "employeeNumber", "groups"],
            [`csv${n}@corp.example`, "C", "Sv", `csv${n}@corp.example`, "true", "R&D", String(n), "Team;Ops"],
            ["target@corp.example", "T", "Arget", "t@corp.example", "yes", "", "", "Team"],
          ],
        },
        {},
        { wait: "30" },
      ),
  },
  { name: "POST /reconciliations/{id}/apply", api: "admin", method: "post", path: "/reconciliations/{id}/apply", weight: 0.5, settle: true, request: async (_t, _n, make) => doc({}, { id: await make.dryRun() }, { wait: "30" }) },
  // Admin lists and searches.
  { name: "GET /users", api: "admin", method: "get", path: "/users", request: (t) => doc(undefined, {}, { q: "target status:active", limit: "10", offset: "0", after_id: t.user }) },
  { name: "GET /users/{user}", api: "admin", method: "get", path: "/users/{user}", request: (t) => doc(undefined, { user: t.user }) },
  {
    name: "GET /audit",
    api: "admin",
    method: "get",
    path: "/audit",
    request: () => doc(undefined, {}, { user: "target", dimension: "group", action: "sync.", since: "2020-01-01T00:00:00Z", until: "2100-01-01T00:00:00+02:00", limit: "10", offset: "0" }),
  },
  { name: "GET /reconciliations", api: "admin", method: "get", path: "/reconciliations", request: () => doc(undefined, {}, { limit: "5", offset: "1" }) },
  { name: "GET /reconciliations/{id}", api: "admin", method: "get", path: "/reconciliations/{id}", request: (t) => doc(undefined, { id: t.dryRun }, { limit: "5", offset: "0", kind: "change" }) },
  { name: "GET /webhooks/{id}/deliveries", api: "admin", method: "get", path: "/webhooks/{id}/deliveries", request: (t) => doc(undefined, { id: t.webhook }, { limit: "10", offset: "0", status: "pending" }) },
  { name: "GET /settings/idpsync/field-values", api: "admin", method: "get", path: "/settings/idpsync/field-values", request: () => doc(undefined, {}, { claimField: "groups" }) },
  { name: "GET /organizations/{org}/groups/{name}", api: "admin", method: "get", path: "/organizations/{org}/groups/{name}", request: (t) => doc(undefined, { org: t.org, name: "admins" }) },
];
