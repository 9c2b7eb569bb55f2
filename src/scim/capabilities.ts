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

export const CAPABILITIES: Capabilities = {
  patch: true,
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  // The largest page served; a larger `count` is capped to it (RFC 7644 §3.4.2.4).
  filter: { supported: true, maxResults: 200 },
  // Passwords are accepted (Okta always sends one) but never stored: there is nothing to change.
  changePassword: false,
  sort: true,
  etag: true,
};

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
