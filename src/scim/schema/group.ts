import { attr } from "./define";
import type { SchemaDef } from "./types";

export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";

/** RFC 7643 §4.2, with the characteristics of §8.7.1. */
export const groupSchema: SchemaDef = {
  id: GROUP_SCHEMA,
  name: "Group",
  description: "Group",
  attributes: [
    attr("displayName", "string", "A human-readable name for the Group.", { required: true, uniqueness: "server" }),
    attr("members", "complex", "A list of members of the Group.", {
      multiValued: true,
      subAttributes: [
        attr("value", "string", "Identifier of the member of this Group.", { mutability: "immutable", caseExact: true }),
        attr("$ref", "reference", "The URI corresponding to a SCIM resource that is a member of this Group.", { mutability: "immutable", referenceTypes: ["User", "Group"] }),
        attr("display", "string", "A human-readable name, primarily used for display purposes.", { mutability: "immutable" }),
        attr("type", "string", "A label indicating the type of resource, e.g., 'User' or 'Group'.", { mutability: "immutable", canonicalValues: ["User", "Group"] }),
      ],
    }),
  ],
};
