/**
 * Errors of the records layer, free of any protocol. The HTTP error handler translates them, in one
 * table, into the envelope of the API that was called (SCIM 404 / 409 uniqueness / 412, or Coder's
 * shape on the admin API).
 */
/** `gone`: it existed and was deleted for good (410), e.g. by a retention period. */
export type DirectoryErrorKind = "notFound" | "conflict" | "preconditionFailed" | "invalid" | "gone";

/** One bad field of the input, as the admin API's `validations` name them. */
export interface FieldProblem {
  field: string;
  detail: string;
}

export class DirectoryError extends Error {
  readonly kind: DirectoryErrorKind;
  /** Each bad field, when an `invalid` input has several (the message lists them too, for the CLI). */
  readonly validations: FieldProblem[] | undefined;
  constructor(kind: DirectoryErrorKind, message: string, validations?: FieldProblem[]) {
    super(message);
    this.name = "DirectoryError";
    this.kind = kind;
    this.validations = validations;
  }
}

export const notFound = (what: string): DirectoryError => new DirectoryError("notFound", `${what} not found`);
