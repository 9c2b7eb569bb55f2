import type { AttributeDef, AttributeType } from "./types";

/**
 * A compact way to write RFC 7643 §7 attribute definitions: only what differs from the RFC's
 * defaults (§2.2: not required, caseExact false, readWrite, returned default, uniqueness none,
 * single-valued) is spelled out.
 */
export function attr(
  name: string,
  type: AttributeType,
  description: string,
  opts: Partial<Omit<AttributeDef, "name" | "type" | "description">> = {},
): AttributeDef {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: "readWrite",
    returned: "default",
    uniqueness: "none",
    ...opts,
  };
}

/** RFC 7643 §2.4: the standard sub-attributes of a multi-valued attribute (value, display, type, primary). */
export function multi(
  name: string,
  description: string,
  opts: { types?: readonly string[]; valueType?: AttributeType; mutability?: AttributeDef["mutability"]; extra?: readonly AttributeDef[] } = {},
): AttributeDef {
  const mutability = opts.mutability ?? "readWrite";
  return attr(name, "complex", description, {
    multiValued: true,
    mutability,
    subAttributes: [
      attr("value", opts.valueType ?? "string", `The value of ${name}.`, { mutability }),
      attr("display", "string", "A human-readable name, primarily used for display purposes.", { mutability }),
      attr("type", "string", `A label indicating the function of the ${name} value.`, {
        mutability,
        ...(opts.types ? { canonicalValues: opts.types } : {}),
      }),
      attr("primary", "boolean", "Indicates the 'primary' or preferred attribute value.", { mutability }),
      ...(opts.extra ?? []),
    ],
  });
}
