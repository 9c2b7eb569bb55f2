import { Router } from "express";
import { z } from "zod";
import { principalOf } from "../auth/middleware";
import type { AdminGroups } from "../directory/admin-groups";
import { GROUP_NAME_MAX_LENGTH } from "../sync/group-name";
import { groupSchema } from "./openapi/responses";
import { defineRoutes, route } from "./route-doc";
import { INT32_MAX, parseBody, parseQuery } from "./validation";

/** Application groups: `/api/v2/organizations/{org}/groups…` and `/api/v2/groups/{group}` (Coder's JSON). */

const name = z.string().trim().min(1, "name is required").max(GROUP_NAME_MAX_LENGTH, `name must be at most ${GROUP_NAME_MAX_LENGTH} characters`);
const fields = {
  display_name: z.string().max(255).optional(),
  avatar_url: z.string().max(2048).optional(),
  // The column is a 32-bit integer (PostgreSQL `integer`): 0 … 2^31-1.
  quota_allowance: z.number().int().min(0, "quota_allowance must be 0 or more").max(INT32_MAX, `quota_allowance must be at most ${INT32_MAX} (2^31-1, the largest the database stores)`).optional(),
};
const createBody = z.object({ name, ...fields });
const patchBody = z.object({
  name: name.optional(),
  ...fields,
  add_users: z.array(z.string()).max(10_000).optional(),
  remove_users: z.array(z.string()).max(10_000).optional(),
});

const listQuery = z.object({
  members: z
    .enum(["true", "false"], { message: "members must be true or false" })
    .transform((v) => v === "true")
    .optional(),
});

const org = { org: "The organization's id or name." };
const group = { group: "The group's id." };

export const groupRoutes = defineRoutes({
  list: {
    method: "get", path: "/organizations/:org/groups", tag: "groups", summary: "List an organization's groups", params: org,
    description: "Not in Coder: `members=false` leaves every group's `members` empty (`total_member_count` still counts them), for a picker of groups in a large organization.",
    query: listQuery,
    responses: { 200: { description: "Its groups with their members, Everyone included.", schema: z.array(groupSchema) } },
    errors: { 404: "No such organization." },
  },
  create: {
    method: "post", path: "/organizations/:org/groups", tag: "groups", summary: "Create a group", params: org, body: createBody,
    responses: { 201: { description: "The group.", schema: groupSchema } },
    errors: { 404: "No such organization.", 409: "A group of that name exists in the organization." },
  },
  getByName: {
    method: "get", path: "/organizations/:org/groups/:groupName", tag: "groups", summary: "Get a group by name",
    params: { ...org, groupName: "The group's name." },
    responses: { 200: { description: "The group.", schema: groupSchema } },
    errors: { 404: "No such organization or group." },
  },
  get: {
    method: "get", path: "/groups/:group", tag: "groups", summary: "Get a group", params: group,
    responses: { 200: { description: "The group.", schema: groupSchema } },
    errors: { 404: "No such group." },
  },
  patch: {
    method: "patch", path: "/groups/:group", tag: "groups", summary: "Change a group or its members",
    description: "`add_users` and `remove_users` take user ids of the organization's members; the memberships made are `manual`.",
    params: group, body: patchBody,
    responses: { 200: { description: "The group as it is now.", schema: groupSchema } },
    errors: { 404: "No such group.", 409: "The new name is taken." },
  },
  remove: {
    method: "delete", path: "/groups/:group", tag: "groups", summary: "Delete a group", params: group,
    responses: { 200: { description: "The group as it was.", schema: groupSchema } },
    errors: { 400: "The Everyone group cannot be deleted.", 404: "No such group." },
  },
});

export function groupsRouter(groups: AdminGroups): Router {
  const r = Router();
  const actor = (res: Parameters<typeof principalOf>[0]) => principalOf(res)?.tokenName ?? "unknown";
  route(r, groupRoutes.list, async (req, res) => {
    res.json(await groups.list(String(req.params.org), parseQuery(listQuery, req.query)));
  });
  route(r, groupRoutes.create, async (req, res) => {
    res.status(201).json(await groups.create(String(req.params.org), parseBody(createBody, req.body), actor(res)));
  });
  route(r, groupRoutes.getByName, async (req, res) => {
    res.json(await groups.getByName(String(req.params.org), String(req.params.groupName)));
  });
  route(r, groupRoutes.get, async (req, res) => {
    res.json(await groups.get(String(req.params.group)));
  });
  route(r, groupRoutes.patch, async (req, res) => {
    res.json(await groups.patch(String(req.params.group), parseBody(patchBody, req.body), actor(res)));
  });
  route(r, groupRoutes.remove, async (req, res) => {
    res.json(await groups.remove(String(req.params.group), actor(res)));
  });
  return r;
}
