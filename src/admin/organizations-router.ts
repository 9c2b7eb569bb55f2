import { Router } from "express";
import { z } from "zod";
import { principalOf } from "../auth/middleware";
import { ORGANIZATION_NAME_RE, type AdminOrganizations } from "../directory/admin-organizations";
import { organizationMemberSchema, organizationSchema } from "./openapi/responses";
import { defineRoutes, route } from "./route-doc";
import { parseBody } from "./validation";

/** `/api/v2/organizations` (Coder's paths and JSON). */

const createBody = z.object({
  name: z.string().min(1, "name is required").max(32, "name must be at most 32 characters").regex(ORGANIZATION_NAME_RE, "name may contain only letters, digits and single hyphens between them"),
  display_name: z.string().max(64).optional(),
  description: z.string().max(1024).optional(),
  icon: z.string().max(256).optional(),
});

const org = { org: "The organization's id or name." };

export const organizationRoutes = defineRoutes({
  list: {
    method: "get", path: "/organizations", tag: "organizations", summary: "List organizations",
    responses: { 200: { description: "Every organization, the default one first.", schema: z.array(organizationSchema) } },
  },
  create: {
    method: "post", path: "/organizations", tag: "organizations", summary: "Create an organization", body: createBody,
    responses: { 201: { description: "The organization, with its Everyone group.", schema: organizationSchema } },
    errors: { 409: "An organization of that name exists." },
  },
  get: {
    method: "get", path: "/organizations/:org", tag: "organizations", summary: "Get an organization", params: org,
    responses: { 200: { description: "The organization.", schema: organizationSchema } },
    errors: { 404: "No such organization." },
  },
  members: {
    method: "get", path: "/organizations/:org/members", tag: "organizations", summary: "List an organization's members", params: org,
    responses: { 200: { description: "Its members with their roles and where each membership came from.", schema: z.array(organizationMemberSchema) } },
    errors: { 404: "No such organization." },
  },
  member: {
    method: "get", path: "/organizations/:org/members/:user", tag: "organizations", summary: "Get one member",
    params: { ...org, user: "The user's id or username." },
    responses: { 200: { description: "The membership.", schema: organizationMemberSchema } },
    errors: { 404: "No such organization, user or membership." },
  },
});

export function organizationsRouter(orgs: AdminOrganizations): Router {
  const r = Router();
  route(r, organizationRoutes.list, async (_req, res) => {
    res.json(await orgs.list());
  });
  route(r, organizationRoutes.create, async (req, res) => {
    const body = parseBody(createBody, req.body);
    res.status(201).json(await orgs.create(body, principalOf(res)?.tokenName ?? "unknown"));
  });
  route(r, organizationRoutes.get, async (req, res) => {
    res.json(await orgs.get(String(req.params.org)));
  });
  route(r, organizationRoutes.members, async (req, res) => {
    res.json(await orgs.members(String(req.params.org)));
  });
  route(r, organizationRoutes.member, async (req, res) => {
    res.json(await orgs.member(String(req.params.org), String(req.params.user)));
  });
  return r;
}
