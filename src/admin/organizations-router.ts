import { Router } from "express";
import { z } from "zod";
import { principalOf } from "../auth/middleware";
import { ORGANIZATION_NAME_RE, type AdminOrganizations } from "../directory/admin-organizations";
import { organizationMemberPageSchema, organizationMemberSchema, organizationSchema } from "./openapi/responses";
import { defineRoutes, route } from "./route-doc";
import { parseBody, parseQuery } from "./validation";

/** `/api/v2/organizations` (Coder's paths and JSON). */

const createBody = z.object({
  name: z.string().min(1, "name is required").max(32, "name must be at most 32 characters").regex(ORGANIZATION_NAME_RE, "name may contain only letters, digits and single hyphens between them"),
  display_name: z.string().max(64).optional(),
  description: z.string().max(1024).optional(),
  icon: z.string().max(256).optional(),
});

const org = { org: "The organization's id or name." };
const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
const member = { ...org, user: "The user's id or username." };

/** Coder's `codersdk.UpdateRoles`: the member's organization roles, all of them. */
const rolesBody = z.object({ roles: z.array(z.string().max(64, "a role name is at most 64 characters")).max(50, "at most 50 roles") }).strict();

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
  paginatedMembers: {
    method: "get", path: "/organizations/:org/paginated-members", tag: "organizations", summary: "List an organization's members, a page at a time",
    description: "As Coder's: oldest member first; `limit` (1–1,000, default 100) and `offset` page them.",
    params: org, query: pageQuery,
    responses: { 200: { description: "A page of members and the count of all.", schema: organizationMemberPageSchema } },
    errors: { 404: "No such organization." },
  },
  member: {
    method: "get", path: "/organizations/:org/members/:user", tag: "organizations", summary: "Get one member",
    params: member,
    responses: { 200: { description: "The membership.", schema: organizationMemberSchema } },
    errors: { 404: "No such organization, user or membership." },
  },
  // Coder answers an addition with 200 and the member (not 201), a second addition with 409.
  addMember: {
    method: "post", path: "/organizations/:org/members/:user", tag: "organizations", summary: "Add a user as a manual member",
    description: "The membership's source is `manual`: sync never removes it. The organization's group and role sync reach the member at its next SCIM write or resync.",
    params: member,
    responses: { 200: { description: "The new membership, without roles.", schema: organizationMemberSchema } },
    errors: { 404: "No such organization or user.", 409: "The user is already a member (the message names the membership's source)." },
  },
  removeMember: {
    method: "delete", path: "/organizations/:org/members/:user", tag: "organizations", summary: "Remove a member, whatever its source",
    description: "The user's groups and roles in the organization go with the membership. A `sync` membership comes back at the next sync while the IdP's claims still map to it.",
    params: member,
    responses: { 204: { description: "Removed." } },
    errors: { 404: "No such organization, user or membership." },
  },
  setMemberRoles: {
    method: "put", path: "/organizations/:org/members/:user/roles", tag: "organizations", summary: "Replace a member's organization roles",
    description: "Every listed role becomes a `manual` grant; an unlisted role is revoked whatever its source. `organization-member` is implied and ignored.",
    params: member, body: rolesBody,
    responses: { 200: { description: "The membership with its roles.", schema: organizationMemberSchema } },
    errors: { 404: "No such organization, user or membership." },
  },
});

export function organizationsRouter(orgs: AdminOrganizations): Router {
  const r = Router();
  const actor = (res: Parameters<typeof principalOf>[0]) => principalOf(res)?.tokenName ?? "unknown";
  route(r, organizationRoutes.list, async (_req, res) => {
    res.json(await orgs.list());
  });
  route(r, organizationRoutes.create, async (req, res) => {
    const body = parseBody(createBody, req.body);
    res.status(201).json(await orgs.create(body, actor(res)));
  });
  route(r, organizationRoutes.get, async (req, res) => {
    res.json(await orgs.get(String(req.params.org)));
  });
  route(r, organizationRoutes.members, async (req, res) => {
    res.json(await orgs.members(String(req.params.org)));
  });
  route(r, organizationRoutes.paginatedMembers, async (req, res) => {
    res.json(await orgs.paginatedMembers(String(req.params.org), parseQuery(pageQuery, req.query)));
  });
  route(r, organizationRoutes.member, async (req, res) => {
    res.json(await orgs.member(String(req.params.org), String(req.params.user)));
  });
  route(r, organizationRoutes.addMember, async (req, res) => {
    res.json(await orgs.addMember(String(req.params.org), String(req.params.user), actor(res)));
  });
  route(r, organizationRoutes.removeMember, async (req, res) => {
    await orgs.removeMember(String(req.params.org), String(req.params.user), actor(res));
    res.status(204).end();
  });
  route(r, organizationRoutes.setMemberRoles, async (req, res) => {
    const { roles } = parseBody(rolesBody, req.body);
    res.json(await orgs.setMemberRoles(String(req.params.org), String(req.params.user), roles, actor(res)));
  });
  return r;
}
