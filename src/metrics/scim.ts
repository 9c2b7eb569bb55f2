import { Counter, type Registry } from "prom-client";
import type { ScimOperationObserver } from "../scim/operation-observer";

/**
 * `scim_bridge_scim_operations_total`: every SCIM resource operation (single or inside a Bulk
 * request) by resource type, operation, outcome and token name. Token names are admin-chosen and few;
 * a token's value, a user's id or name never becomes a label.
 */
export function scimOperationMetrics(registry: Registry): ScimOperationObserver {
  const operations = new Counter({
    name: "scim_bridge_scim_operations_total",
    help: "SCIM resource operations (single or in a Bulk request) by resource type, operation, outcome and token name",
    labelNames: ["resource_type", "operation", "outcome", "token"] as const,
    registers: [registry],
  });
  return (e) => operations.inc({ resource_type: e.resourceType, operation: e.operation, outcome: e.outcome, token: e.token });
}
