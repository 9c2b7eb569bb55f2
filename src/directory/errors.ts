/**
 * Errors of the records layer, free of any protocol. The HTTP error handler translates them, in one
 * table, into the envelope of the API that was called (SCIM 404 / 409 uniqueness / 412, or Coder's
 * shape on the admin API).
 */
/** `gone`: it existed and was deleted for good (410), e.g. by a retention period. */
export type DirectoryErrorKind = "notFound" | "conflict" | "preconditionFailed" | "invalid" | "gone";

export class DirectoryError extends Error {
  readonly kind: DirectoryErrorKind;
  constructor(kind: DirectoryErrorKind, message: string) {
    super(message);
    this.name = "DirectoryError";
    this.kind = kind;
  }
}

export const notFound = (what: string): DirectoryError => new DirectoryError("notFound", `${what} not found`);
