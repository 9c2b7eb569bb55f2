/**
 * The one error type of the SCIM protocol (RFC 7644 §3.12). Every SCIM failure is a ScimError; the
 * error middleware (src/http/errors.ts) is the only place that turns one into an HTTP response.
 */

export const SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

/** RFC 7644 §3.12 Table 9, with the HTTP status each scimType is defined for. */
export const SCIM_TYPE_STATUS = {
  invalidFilter: 400,
  tooMany: 400,
  uniqueness: 409,
  mutability: 400,
  invalidSyntax: 400,
  invalidPath: 400,
  noTarget: 400,
  invalidValue: 400,
  invalidVers: 400,
  sensitive: 403,
  // Not in Table 9: a Bulk request over maxOperations or maxPayloadSize (§3.7.4 answers 413), named so
  // that a client can tell it from a plain body limit and split the request.
  tooLarge: 413,
} as const;

export type ScimType = keyof typeof SCIM_TYPE_STATUS;

/** The HTTP statuses RFC 7644 §3.12 Table 8 lists for SCIM errors, plus 413/415/429/503. */
export type ScimErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 410 | 412 | 413 | 415 | 429 | 500 | 501 | 503;

export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_SCHEMA];
  /** A string, as RFC 7644 §3.12 requires (Coder's legacy handler wrongly sends a number). */
  status: string;
  scimType?: ScimType;
  detail: string;
}

export class ScimError extends Error {
  readonly status: ScimErrorStatus;
  readonly scimType: ScimType | undefined;
  readonly detail: string;

  /** Refuses an illegal status/scimType pair at construction (e.g. `uniqueness` with 400). */
  constructor(status: ScimErrorStatus, detail: string, scimType?: ScimType) {
    if (scimType !== undefined && SCIM_TYPE_STATUS[scimType] !== status) {
      throw new TypeError(`scimType ${scimType} is defined for ${SCIM_TYPE_STATUS[scimType]}, not ${status}`);
    }
    super(detail);
    this.name = "ScimError";
    this.status = status;
    this.scimType = scimType;
    this.detail = detail;
  }

  toBody(): ScimErrorBody {
    return {
      schemas: [SCIM_ERROR_SCHEMA],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.detail,
    };
  }

  static badRequest(scimType: Exclude<ScimType, "uniqueness" | "sensitive" | "tooLarge">, detail: string): ScimError {
    return new ScimError(400, detail, scimType);
  }

  static notFound(detail: string): ScimError {
    return new ScimError(404, detail);
  }

  static conflict(detail: string): ScimError {
    return new ScimError(409, detail, "uniqueness");
  }
}
