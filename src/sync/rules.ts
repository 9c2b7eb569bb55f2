/** Why sync expects a grant: recorded with every change it makes (DESIGN.md: every decision auditable). */
export type Rule =
  | { kind: "default" }
  | { kind: "mapping"; field: string; value: string }
  | { kind: "name"; field: string; value: string }
  | { kind: "autoCreate"; field: string; value: string };

/** The outcome of one dimension for one user (and organization, for groups and roles). */
export type Outcome<T> =
  | { status: "disabled" }
  | { status: "skipped"; problems: string[] }
  | ({ status: "expected"; problems: string[] } & T);

/** Built-in organization roles sync may grant (`organization-member` is implicit and never stored). */
export const ORGANIZATION_ROLES = ["organization-admin", "organization-auditor", "organization-template-admin", "organization-user-admin"] as const;
export const IMPLICIT_MEMBER_ROLE = "organization-member";
/** Site roles: never granted by organization role sync, whatever the IdP says. */
export const SITE_ROLES = ["owner", "member", "template-admin", "user-admin", "auditor"] as const;
