import { Router, type Response } from "express";
import { z } from "zod";
import { principalOf } from "../auth/middleware";
import type { SyncSettings } from "../sync/settings-service";
import { candidateSettingsSchema, groupsBody, organizationBody, rolesBody } from "../sync/settings-bodies";
import { AdminError } from "./errors";
import { parseBody } from "./validation";

/** Coder's IdP sync settings API: `/settings/idpsync/…` and `/organizations/{org}/settings/idpsync/…`. */

const pairs = z.array(z.object({ given: z.string(), gets: z.string() })).max(10_000).optional();
const mappingBody = z.object({ add: pairs, remove: pairs });
const organizationConfig = z.object({ field: z.string(), assign_default: z.boolean() });
const groupsConfig = z.object({ field: z.string(), regex_filter: z.string().nullable().default(null), auto_create_missing_groups: z.boolean() });
const rolesConfig = z.object({ field: z.string() });

function claimField(q: unknown): string {
  const v = (q as Record<string, unknown>).claimField;
  if (typeof v !== "string" || v === "") throw new AdminError(400, "claimField is required", { validations: [{ field: "claimField", detail: "name the claim whose values you want" }] });
  return v;
}

export function idpSyncRouter(settings: SyncSettings): Router {
  const r = Router();
  const actor = (res: Response) => principalOf(res)?.tokenName ?? "unknown";
  const org = (p: Record<string, unknown>) => String(p.org);

  // Not in Coder: every setting at once, in the file format of `scim-bridge sync get|set` and of a
  // resync's candidate `settings` (organizations keyed by name; by id or name when saving). PUT saves
  // every part given in one transaction, checked as the per-part routes check them, and audits each.
  r.get("/settings/idpsync", async (_req, res) => {
    res.json(await settings.getAll());
  });
  r.put("/settings/idpsync", async (req, res) => {
    const candidate = parseBody(candidateSettingsSchema, req.body);
    if (!candidate.organization && Object.keys(candidate.organizations ?? {}).length === 0) {
      throw new AdminError(400, "No settings to save.", { validations: [{ field: "body", detail: "give organization and/or organizations.<org>.groups|roles" }] });
    }
    res.json({ saved: await settings.saveAll(candidate, actor(res)) });
  });

  r.get("/settings/idpsync/organization", async (_req, res) => {
    res.json(await settings.getOrganization());
  });
  r.patch("/settings/idpsync/organization", async (req, res) => {
    res.json(await settings.putOrganization(parseBody(organizationBody, req.body), actor(res)));
  });
  r.patch("/settings/idpsync/organization/config", async (req, res) => {
    res.json(await settings.patchOrganizationConfig(parseBody(organizationConfig, req.body), actor(res)));
  });
  r.patch("/settings/idpsync/organization/mapping", async (req, res) => {
    res.json(await settings.patchOrganizationMapping(parseBody(mappingBody, req.body), actor(res)));
  });
  r.get("/settings/idpsync/available-fields", async (_req, res) => {
    res.json(await settings.availableFields());
  });
  r.get("/settings/idpsync/field-values", async (req, res) => {
    res.json(await settings.fieldValues(claimField(req.query)));
  });

  const base = "/organizations/:org/settings/idpsync";
  r.get(`${base}/groups`, async (req, res) => {
    res.json(await settings.getGroups(org(req.params)));
  });
  r.patch(`${base}/groups`, async (req, res) => {
    res.json(await settings.putGroups(org(req.params), parseBody(groupsBody, req.body), actor(res)));
  });
  r.patch(`${base}/groups/config`, async (req, res) => {
    res.json(await settings.patchGroupsConfig(org(req.params), parseBody(groupsConfig, req.body), actor(res)));
  });
  r.patch(`${base}/groups/mapping`, async (req, res) => {
    res.json(await settings.patchGroupsMapping(org(req.params), parseBody(mappingBody, req.body), actor(res)));
  });
  r.get(`${base}/roles`, async (req, res) => {
    res.json(await settings.getRoles(org(req.params)));
  });
  r.patch(`${base}/roles`, async (req, res) => {
    res.json(await settings.putRoles(org(req.params), parseBody(rolesBody, req.body), actor(res)));
  });
  r.patch(`${base}/roles/config`, async (req, res) => {
    res.json(await settings.patchRolesConfig(org(req.params), parseBody(rolesConfig, req.body), actor(res)));
  });
  r.patch(`${base}/roles/mapping`, async (req, res) => {
    res.json(await settings.patchRolesMapping(org(req.params), parseBody(mappingBody, req.body), actor(res)));
  });
  r.get(`${base}/available-fields`, async (req, res) => {
    res.json(await settings.availableFields(org(req.params)));
  });
  r.get(`${base}/field-values`, async (req, res) => {
    res.json(await settings.fieldValues(claimField(req.query), org(req.params)));
  });
  return r;
}
