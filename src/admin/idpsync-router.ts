import { Router, type Response } from "express";
import { z } from "zod";
import { principalOf } from "../auth/middleware";
import type { SyncSettings } from "../sync/settings-service";
import { candidateSettingsSchema, groupsBody, organizationBody, rolesBody } from "../sync/settings-bodies";
import { AdminError } from "./errors";
import { groupSyncSchema, organizationSyncSchema, roleSyncSchema } from "./openapi/responses";
import { defineRoutes, route, type RouteDoc } from "./route-doc";
import { parseBody, parseQuery } from "./validation";

/** Coder's IdP sync settings API: `/settings/idpsync/…` and `/organizations/{org}/settings/idpsync/…`. */

const pairs = z.array(z.object({ given: z.string(), gets: z.string() })).max(10_000).optional();
const mappingBody = z.object({ add: pairs, remove: pairs });
const organizationConfig = z.object({ field: z.string(), assign_default: z.boolean() });
const groupsConfig = z.object({ field: z.string(), regex_filter: z.string().nullable().default(null), auto_create_missing_groups: z.boolean() });
const rolesConfig = z.object({ field: z.string() });

const fieldValuesQuery = z.object({
  claimField: z.string({ error: "claimField is required: name the claim whose values you want" }).min(1, "claimField is required: name the claim whose values you want"),
});

const org = { org: "The organization's id or name." };
const answer = (schema: z.ZodType) => ({ 200: { description: "The settings as saved (Coder's JSON).", schema } });
const mappingDescription = "Adds and removes `{given, gets}` pairs; a pair in both is removed.";
/** Each saving route: 400 names unknown mapping targets (organization or group ids, roles). */
const saving = <P extends string>(path: P, summary: string, body: z.ZodType, settings: z.ZodType, description?: string): RouteDoc<P> => ({
  method: "patch", path, tag: "idpsync", summary, body, responses: answer(settings), ...(description ? { description } : {}),
});
const orgSaving = <P extends string>(path: P, summary: string, body: z.ZodType, settings: z.ZodType, description?: string): RouteDoc<P> => ({
  ...saving(path, summary, body, settings, description), params: org, errors: { 404: "No such organization." },
});
const base = "/organizations/:org/settings/idpsync" as const;

/** Every setting at once: the organization settings, and each organization's group and role settings by name. */
const allSettingsSchema = z
  .object({
    organization: organizationSyncSchema,
    organizations: z.record(z.string(), z.object({ groups: groupSyncSchema, roles: roleSyncSchema }).strict()),
  })
  .strict();

export const idpSyncRoutes = defineRoutes({
  // Not in Coder: every setting at once, in the file format of `scim-bridge sync get|set` and of a
  // resync's candidate `settings` (organizations keyed by name; by id or name when saving). PUT saves
  // every part given in one transaction, checked as the per-part routes check them, and audits each.
  getAll: {
    method: "get", path: "/settings/idpsync", tag: "idpsync", summary: "Get every IdP sync setting at once (the `scim-bridge sync get` file)",
    responses: { 200: { description: "The organization settings, and each organization's group and role settings keyed by its name.", schema: allSettingsSchema } },
  },
  putAll: {
    method: "put", path: "/settings/idpsync", tag: "idpsync", summary: "Save IdP sync settings, any parts at once, in one transaction (the `scim-bridge sync set` file)",
    description: "Organizations are named by id or name (an unknown one is a 400 naming it). Each part is checked as its own route checks it and audited; nothing is saved unless every part is valid.",
    body: candidateSettingsSchema,
    responses: { 200: { description: "The parts saved.", schema: z.object({ saved: z.array(z.string()) }).strict() } },
  },
  getOrganization: {
    method: "get", path: "/settings/idpsync/organization", tag: "idpsync", summary: "Get the organization sync settings", responses: answer(organizationSyncSchema),
  },
  putOrganization: saving("/settings/idpsync/organization", "Replace the organization sync settings", organizationBody, organizationSyncSchema),
  patchOrganizationConfig: saving("/settings/idpsync/organization/config", "Change the organization sync field and assign-default", organizationConfig, organizationSyncSchema),
  patchOrganizationMapping: saving("/settings/idpsync/organization/mapping", "Change organization mapping pairs", mappingBody, organizationSyncSchema, mappingDescription),
  availableFields: {
    method: "get", path: "/settings/idpsync/available-fields", tag: "idpsync", summary: "Claim names seen on users",
    responses: { 200: { description: "Claim names, from the users' stored claims.", schema: z.array(z.string()) } },
  },
  fieldValues: {
    method: "get", path: "/settings/idpsync/field-values", tag: "idpsync", summary: "A claim's values seen on users",
    query: fieldValuesQuery,
    responses: { 200: { description: "At most 1,000 values.", schema: z.array(z.string()) } },
  },
  getGroups: {
    method: "get", path: `${base}/groups`, tag: "idpsync", summary: "Get an organization's group sync settings", params: org, responses: answer(groupSyncSchema),
    errors: { 404: "No such organization." },
  },
  putGroups: orgSaving(`${base}/groups`, "Replace an organization's group sync settings", groupsBody, groupSyncSchema),
  patchGroupsConfig: orgSaving(`${base}/groups/config`, "Change group sync's field, regex filter and auto-create", groupsConfig, groupSyncSchema),
  patchGroupsMapping: orgSaving(`${base}/groups/mapping`, "Change group mapping pairs", mappingBody, groupSyncSchema, mappingDescription),
  getRoles: {
    method: "get", path: `${base}/roles`, tag: "idpsync", summary: "Get an organization's role sync settings", params: org, responses: answer(roleSyncSchema),
    errors: { 404: "No such organization." },
  },
  putRoles: orgSaving(`${base}/roles`, "Replace an organization's role sync settings", rolesBody, roleSyncSchema),
  patchRolesConfig: orgSaving(`${base}/roles/config`, "Change role sync's field", rolesConfig, roleSyncSchema),
  patchRolesMapping: orgSaving(`${base}/roles/mapping`, "Change role mapping pairs", mappingBody, roleSyncSchema, mappingDescription),
  orgAvailableFields: {
    method: "get", path: `${base}/available-fields`, tag: "idpsync", summary: "Claim names seen on an organization's members", params: org,
    responses: { 200: { description: "Claim names.", schema: z.array(z.string()) } },
    errors: { 404: "No such organization." },
  },
  orgFieldValues: {
    method: "get", path: `${base}/field-values`, tag: "idpsync", summary: "A claim's values seen on an organization's members", params: org,
    query: fieldValuesQuery,
    responses: { 200: { description: "At most 1,000 values.", schema: z.array(z.string()) } },
    errors: { 404: "No such organization." },
  },
});

export function idpSyncRouter(settings: SyncSettings): Router {
  const r = Router();
  const actor = (res: Response) => principalOf(res)?.tokenName ?? "unknown";

  const R = idpSyncRoutes;
  route(r, R.getAll, async (_req, res) => {
    res.json(await settings.getAll());
  });
  route(r, R.putAll, async (req, res) => {
    const candidate = parseBody(candidateSettingsSchema, req.body);
    if (!candidate.organization && Object.keys(candidate.organizations ?? {}).length === 0) {
      throw new AdminError(400, "No settings to save.", { validations: [{ field: "body", detail: "give organization and/or organizations.<org>.groups|roles" }] });
    }
    res.json({ saved: await settings.saveAll(candidate, actor(res)) });
  });
  route(r, R.getOrganization, async (_req, res) => {
    res.json(await settings.getOrganization());
  });
  route(r, R.putOrganization, async (req, res) => {
    res.json(await settings.putOrganization(parseBody(organizationBody, req.body), actor(res)));
  });
  route(r, R.patchOrganizationConfig, async (req, res) => {
    res.json(await settings.patchOrganizationConfig(parseBody(organizationConfig, req.body), actor(res)));
  });
  route(r, R.patchOrganizationMapping, async (req, res) => {
    res.json(await settings.patchOrganizationMapping(parseBody(mappingBody, req.body), actor(res)));
  });
  route(r, R.availableFields, async (_req, res) => {
    res.json(await settings.availableFields());
  });
  route(r, R.fieldValues, async (req, res) => {
    res.json(await settings.fieldValues(parseQuery(fieldValuesQuery, req.query).claimField));
  });
  route(r, R.getGroups, async (req, res) => {
    res.json(await settings.getGroups(req.params.org));
  });
  route(r, R.putGroups, async (req, res) => {
    res.json(await settings.putGroups(req.params.org, parseBody(groupsBody, req.body), actor(res)));
  });
  route(r, R.patchGroupsConfig, async (req, res) => {
    res.json(await settings.patchGroupsConfig(req.params.org, parseBody(groupsConfig, req.body), actor(res)));
  });
  route(r, R.patchGroupsMapping, async (req, res) => {
    res.json(await settings.patchGroupsMapping(req.params.org, parseBody(mappingBody, req.body), actor(res)));
  });
  route(r, R.getRoles, async (req, res) => {
    res.json(await settings.getRoles(req.params.org));
  });
  route(r, R.putRoles, async (req, res) => {
    res.json(await settings.putRoles(req.params.org, parseBody(rolesBody, req.body), actor(res)));
  });
  route(r, R.patchRolesConfig, async (req, res) => {
    res.json(await settings.patchRolesConfig(req.params.org, parseBody(rolesConfig, req.body), actor(res)));
  });
  route(r, R.patchRolesMapping, async (req, res) => {
    res.json(await settings.patchRolesMapping(req.params.org, parseBody(mappingBody, req.body), actor(res)));
  });
  route(r, R.orgAvailableFields, async (req, res) => {
    res.json(await settings.availableFields(req.params.org));
  });
  route(r, R.orgFieldValues, async (req, res) => {
    res.json(await settings.fieldValues(parseQuery(fieldValuesQuery, req.query).claimField, req.params.org));
  });
  return r;
}
