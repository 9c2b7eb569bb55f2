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
  patch: false,
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: false, maxResults: 0 },
  changePassword: false,
  sort: false,
  etag: false,
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
