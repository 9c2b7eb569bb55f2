/**
 * What this SCIM service provider implements today. `/ServiceProviderConfig` is derived from it, so
 * the discovery document never promises more than the code does.
 */
export interface Capabilities {
  patch: boolean;
  bulk: { supported: boolean; maxOperations: number; maxPayloadSize: number };
  filter: { supported: boolean; maxResults: number };
  changePassword: boolean;
  sort: boolean;
  etag: boolean;
}

/** RFC 7644 §3.7.4: the most operations and bytes one Bulk request may carry (BULK_MAX_OPERATIONS, BULK_MAX_PAYLOAD). */
export interface BulkLimits {
  maxOperations: number;
  maxPayloadBytes: number;
}

export const DEFAULT_BULK_LIMITS: BulkLimits = { maxOperations: 1000, maxPayloadBytes: 10 * 1024 * 1024 };

export const CAPABILITIES: Capabilities = {
  patch: true,
  // Bulk's limits come from configuration: see `withBulk`, which the SCIM router serves.
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  // The largest page served; a larger `count` is capped to it (RFC 7644 §3.4.2.4).
  filter: { supported: true, maxResults: 200 },
  // Passwords are accepted (Okta always sends one) but never stored: there is nothing to change.
  changePassword: false,
  sort: true,
  etag: true,
};

/** The capabilities with Bulk served under these limits (RFC 7644 §3.7). */
export function withBulk(caps: Capabilities, limits: BulkLimits): Capabilities {
  return { ...caps, bulk: { supported: true, maxOperations: limits.maxOperations, maxPayloadSize: limits.maxPayloadBytes } };
}

/** RFC 7643 §5 ServiceProviderConfig. */
export function serviceProviderConfig(caps: Capabilities, base: string) {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    patch: { supported: caps.patch },
    bulk: caps.bulk,
    filter: caps.filter,
    changePassword: { supported: caps.changePassword },
    sort: { supported: caps.sort },
    etag: { supported: caps.etag },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "OAuth Bearer Token",
        description: "Authentication with a bearer token of scope scim (Authorization: Bearer <token>)",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${base}/ServiceProviderConfig` },
  };
}
