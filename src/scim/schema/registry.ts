import { ENTERPRISE_USER_SCHEMA, enterpriseUserSchema } from "./enterprise-user";
import { groupSchema } from "./group";
import type { ResourceTypeDef } from "./types";
import { userSchema } from "./user";

/**
 * One entry per resource type. `/Schemas`, `/ResourceTypes`, input validation, filters, PATCH and
 * projection all read these, so what is advertised is what is accepted.
 */
export const userResourceType: ResourceTypeDef = {
  name: "User",
  endpoint: "/Users",
  description: "User Account",
  schema: userSchema,
  extensions: [{ schema: enterpriseUserSchema, required: false }],
};

export const groupResourceType: ResourceTypeDef = {
  name: "Group",
  endpoint: "/Groups",
  description: "Group",
  schema: groupSchema,
  extensions: [],
};

export const resourceTypes: readonly ResourceTypeDef[] = [userResourceType, groupResourceType];

export { ENTERPRISE_USER_SCHEMA };

export function resourceTypeByName(name: string): ResourceTypeDef | undefined {
  return resourceTypes.find((rt) => rt.name.toLowerCase() === name.toLowerCase());
}
