import type { Prisma, PrismaClient } from "../generated/prisma/client";
import { emit } from "../events/outbox";
import { recordAudit } from "./audit";
import { DirectoryError, notFound } from "./errors";
import { likeLiteral } from "../text/like";
import { isUuid } from "./prisma-errors";

/**
 * Users as the admin API shows them (Coder's `codersdk.User`), and the admin's own user actions.
 * No HTTP here: the admin router parses and renders.
 */

export interface AdminUser {
  id: string;
  username: string;
  email: string;
  name: string;
  avatar_url: string;
  status: "active" | "dormant" | "suspended";
  login_type: string;
  organization_ids: string[];
  /** Site roles: the bridge grants none (`member` is implicit, as in Coder). */
  roles: { name: string; display_name: string }[];
  created_at: string;
  updated_at: string;
  last_seen_at: string | null;
}

export interface UserQuery {
  /** Coder's search: free words match username, email or name; `status:`, `login_type:` filter. */
  q: string | undefined;
  limit: number;
  offset: number;
  afterId: string | undefined;
}

/** What the admin record is made of (a Prisma row with its memberships, or a hot path's values). */
export interface AdminUserSource {
  id: string;
  username: string;
  email: string | null;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  status: AdminUser["status"];
  loginType: string;
  createdAt: Date;
  updatedAt: Date;
  memberships: readonly { organizationId: string }[];
}

export function toAdminUser(row: AdminUserSource): AdminUser {
  const name = row.displayName ?? [row.givenName, row.familyName].filter(Boolean).join(" ");
  return {
    id: row.id,
    username: row.username,
    email: row.email ?? "",
    name,
    avatar_url: "",
    status: row.status,
    login_type: row.loginType,
    organization_ids: row.memberships.map((m) => m.organizationId).sort(),
    roles: [],
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    last_seen_at: null,
  };
}

/** `GET /api/v2/users/{user}/scim`: what the IdP sent and what sync reads from it. */
export interface AdminUserScim {
  user_id: string;
  user_name: string;
  external_id: string | null;
  version: number;
  resource: Record<string, unknown> | null;
  claims: Record<string, unknown>;
}

const STATUSES = new Set(["active", "dormant", "suspended"]);

/**
 * Bounds of `q`. Each term becomes three ILIKE conditions that Prisma compiles on the event loop:
 * 7,000 one-letter words took 16–21 s and 235 MB. A person types a few words and filters; 16 terms
 * leave room for all four filters and a full name. 1,024 characters hold any identifier the bridge
 * stores (userName and email values are limited to 1,024) as one plain word.
 */
export const USER_SEARCH_LIMITS = { terms: 16, characters: 1024 } as const;

const searchTerms = (q: string): string[] => q.split(/\s+/).filter(Boolean);

/** Why `q` is refused (it exceeds USER_SEARCH_LIMITS), or undefined when it is within them. */
export function userSearchProblem(q: string | undefined): string | undefined {
  if (q === undefined) return undefined;
  const terms = searchTerms(q).length;
  if (q.length <= USER_SEARCH_LIMITS.characters && terms <= USER_SEARCH_LIMITS.terms) return undefined;
  const n = (x: number) => x.toLocaleString("en-US");
  return `q may have at most ${USER_SEARCH_LIMITS.terms} terms and ${n(USER_SEARCH_LIMITS.characters)} characters (this one has ${n(terms)} ${terms === 1 ? "term" : "terms"}, ${n(q.length)} characters)`;
}

/** Coder's `q` syntax, the parts that mean something here. Unknown `key:value` terms are refused. */
export function parseUserSearch(q: string | undefined): Prisma.UserWhereInput {
  const problem = userSearchProblem(q);
  if (problem) throw new DirectoryError("invalid", problem);
  const and: Prisma.UserWhereInput[] = [];
  for (const term of searchTerms(q ?? "")) {
    const m = /^([a-z_]+):(.*)$/.exec(term);
    if (!m) {
      // Words match literally: LIKE's wildcards in them are escaped.
      const word = likeLiteral(term);
      and.push({ OR: [{ username: { contains: word, mode: "insensitive" } }, { email: { contains: word.toLowerCase() } }, { displayName: { contains: word, mode: "insensitive" } }] });
      continue;
    }
    const [, key, value] = m as unknown as [string, string, string];
    if (key === "status") {
      if (!STATUSES.has(value)) throw new DirectoryError("invalid", `status must be active, dormant or suspended, not "${value}"`);
      and.push({ status: value as AdminUser["status"] });
    } else if (key === "login_type") and.push({ loginType: value });
    else if (key === "email") and.push({ email: value.toLowerCase() });
    else if (key === "username") and.push({ username: value.toLowerCase() });
    else throw new DirectoryError("invalid", `unsupported search term "${key}:" (use status:, login_type:, email:, username: or plain words)`);
  }
  return and.length ? { AND: and } : {};
}

const include = { memberships: { select: { organizationId: true } } } as const;
type Row = Prisma.UserGetPayload<{ include: typeof include }>;

/** How the admin API finds `{user}`: a uuid is an id, anything else a username (any letter case). */
export const userWhere = (idOrUsername: string): Prisma.UserWhereInput => (isUuid(idOrUsername) ? { id: idOrUsername } : { username: idOrUsername.toLowerCase() });

export function createAdminUsers(prisma: PrismaClient) {
  async function find(idOrUsername: string): Promise<Row> {
    const row = await prisma.user.findFirst({ where: userWhere(idOrUsername), include });
    if (!row) throw notFound(`user ${idOrUsername}`);
    return row;
  }

  async function setStatus(idOrUsername: string, status: "active" | "suspended", actor: string): Promise<AdminUser> {
    const user = await find(idOrUsername);
    if (user.status === status) return toAdminUser(user);
    const row = await prisma.$transaction(async (tx) => {
      const updated = await tx.user.update({ where: { id: user.id }, data: { status, version: { increment: 1 } }, include });
      await recordAudit(tx, { actor, action: status === "suspended" ? "user.suspended" : "user.reactivated", resourceType: "user", resourceId: user.id, userId: user.id });
      await emit(tx, [{ type: status === "suspended" ? "user.suspended" : "user.reactivated", data: toAdminUser(updated) }]);
      return updated;
    });
    return toAdminUser(row);
  }

  return {
    async list(query: UserQuery): Promise<{ users: AdminUser[]; count: number }> {
      const where = parseUserSearch(query.q);
      let cursor: Prisma.UserWhereInput = {};
      if (query.afterId) {
        const after = isUuid(query.afterId) ? await prisma.user.findUnique({ where: { id: query.afterId }, select: { createdAt: true, id: true } }) : null;
        if (!after) throw new DirectoryError("invalid", `after_id ${query.afterId} is not a user`);
        cursor = { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] };
      }
      const orderBy = [{ createdAt: "asc" as const }, { id: "asc" as const }];
      // The page's ids first, then their rows: a deep page (offset 99,950 of 100k) skips index entries
      // (users_created_at_id_idx) instead of whole rows with their JSON (640 ms → tens, bench:console).
      const [count, page] = await Promise.all([
        prisma.user.count({ where }),
        prisma.user.findMany({ where: { AND: [where, cursor] }, select: { id: true }, orderBy, skip: query.offset, take: query.limit }),
      ]);
      const rows = page.length === 0 ? [] : await prisma.user.findMany({ where: { id: { in: page.map((r) => r.id) } }, include, orderBy });
      return { users: rows.map(toAdminUser), count };
    },
    get: async (idOrUsername: string) => toAdminUser(await find(idOrUsername)),
    /** The SCIM resource as the IdP sent it (null once the IdP deleted it) and the claims derived from it. */
    async scim(idOrUsername: string): Promise<AdminUserScim> {
      const row = await prisma.user.findFirst({ where: userWhere(idOrUsername), select: { id: true, userName: true, externalId: true, version: true, resource: true, claims: true } });
      if (!row) throw notFound(`user ${idOrUsername}`);
      const obj = (v: unknown): Record<string, unknown> | null => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
      return { user_id: row.id, user_name: row.userName, external_id: row.externalId, version: row.version, resource: obj(row.resource), claims: obj(row.claims) ?? {} };
    },
    suspend: (idOrUsername: string, actor: string) => setStatus(idOrUsername, "suspended", actor),
    activate: (idOrUsername: string, actor: string) => setStatus(idOrUsername, "active", actor),
  };
}

export type AdminUsers = ReturnType<typeof createAdminUsers>;
