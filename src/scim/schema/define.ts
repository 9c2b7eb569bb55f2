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
  // RFC 7643 §2.3.7, §7: a reference names what it may point to. Clients that build typed models from
  // /Schemas fail on a reference without referenceTypes, so a definition without them fails at load.
  if (type === "reference" && !opts.referenceTypes?.length) throw new Error(`attribute ${name}: a reference needs referenceTypes`);
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
  opts: {
    types?: readonly string[];
    valueType?: AttributeType;
    /** Required when `valueType` is "reference" (RFC 7643 §2.3.7). */
    referenceTypes?: readonly string[];
    mutability?: AttributeDef["mutability"];
    extra?: readonly AttributeDef[];
  } = {},
): AttributeDef {
  const mutability = opts.mutability ?? "readWrite";
  return attr(name, "complex", description, {
    multiValued: true,
    mutability,
    subAttributes: [
      attr("value", opts.valueType ?? "string", `The value of ${name}.`, { mutability, ...(opts.referenceTypes ? { referenceTypes: opts.referenceTypes } : {}) }),
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
