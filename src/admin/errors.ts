/**
 * The admin API's one error type, shaped as Coder's `codersdk.Response`:
 * `{message, detail?, validations?: [{field, detail}]}`. Mapped to HTTP only in src/http/errors.ts.
 */

export interface ValidationError {
  field: string;
  detail: string;
}

export interface AdminErrorBody {
  message: string;
  detail?: string;
  validations?: ValidationError[];
}

export type AdminErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 410 | 412 | 413 | 415 | 429 | 500 | 503;

export class AdminError extends Error {
  readonly status: AdminErrorStatus;
  readonly detail: string | undefined;
  readonly validations: ValidationError[] | undefined;

  constructor(status: AdminErrorStatus, message: string, opts: { detail?: string; validations?: ValidationError[] } = {}) {
    super(message);
    this.name = "AdminError";
    this.status = status;
    this.detail = opts.detail;
    this.validations = opts.validations;
  }

  toBody(): AdminErrorBody {
    return {
      message: this.message,
      ...(this.detail !== undefined ? { detail: this.detail } : {}),
      ...(this.validations?.length ? { validations: this.validations } : {}),
    };
  }
}
