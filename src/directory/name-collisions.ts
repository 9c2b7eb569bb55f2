import type { PrismaClient } from "../generated/prisma/client";
import { MARK, nameKey } from "./name-key";

/**
 * The records whose name collided with another record's when name keys were recomputed (they carry a
 * marked key, see name-key.ts and name-rekey.ts), each with the record holding the name's key now, for
 * an admin to resolve: rename one of the two at the IdP. A marked record leaves the list when a write
 * to it renames it (to a free name: a taken one is a 409), or at its next write once the holder no
 * longer holds the key: the holder renamed, or, for a group, deleted (a SCIM DELETE removes a group's
 * row, so a deleted marked group leaves the list too). A SCIM DELETE of a user keeps its row and its key
 * (a later POST of the name brings it back): a deleted holder still holds the name, so the marked user
 * stays marked; and a deleted marked user takes no more writes (a POST of its name looks it up by key,
 * which its mark is not), so it stays listed, with status `suspended`.
 * `key_holder` is null when nobody holds the key any more, or when the name is too long to be a key.
 */

export interface CollidingUser {
  id: string;
  user_name: string;
  username: string;
  status: string;
  created_at: string;
}

export interface CollidingGroup {
  id: string;
  display_name: string;
  created_at: string;
}

export interface NameCollisionList {
  users: { user: CollidingUser; key_holder: CollidingUser | null }[];
  groups: { group: CollidingGroup; key_holder: CollidingGroup | null }[];
}

export interface NameCollisions {
  list(): Promise<NameCollisionList>;
}

interface UserRow {
  id: string;
  userName: string;
  username: string;
  status: string;
  createdAt: Date;
  key: string;
}

interface GroupRow {
  id: string;
  displayName: string;
  createdAt: Date;
  key: string;
}

const user = (r: UserRow): CollidingUser => ({ id: r.id, user_name: r.userName, username: r.username, status: r.status, created_at: new Date(r.createdAt).toISOString() });
const group = (r: GroupRow): CollidingGroup => ({ id: r.id, display_name: r.displayName, created_at: new Date(r.createdAt).toISOString() });

export function createNameCollisions(prisma: PrismaClient): NameCollisions {
  return {
    async list() {
      // A marked key is MARK and the record's own id (markedKey). Few rows; the scan is an admin's.
      const users = await prisma.$queryRaw<UserRow[]>`
        SELECT id::text AS id, user_name AS "userName", username, status::text AS status, created_at AS "createdAt", user_name_key AS key
          FROM users WHERE user_name_key = ${MARK}::text || id::text ORDER BY created_at, id`;
      const userHolders = users.length === 0 ? [] : await prisma.$queryRaw<UserRow[]>`
        SELECT id::text AS id, user_name AS "userName", username, status::text AS status, created_at AS "createdAt", user_name_key AS key
          FROM users WHERE user_name_key = ANY(${users.map((u) => nameKey(u.userName))}::text[])`;
      const groups = await prisma.$queryRaw<GroupRow[]>`
        SELECT id::text AS id, display_name AS "displayName", created_at AS "createdAt", display_name_key AS key
          FROM idp_groups WHERE display_name_key = ${MARK}::text || id::text ORDER BY created_at, id`;
      const groupHolders = groups.length === 0 ? [] : await prisma.$queryRaw<GroupRow[]>`
        SELECT id::text AS id, display_name AS "displayName", created_at AS "createdAt", display_name_key AS key
          FROM idp_groups WHERE display_name_key = ANY(${groups.map((g) => nameKey(g.displayName))}::text[])`;
      const userBy = new Map(userHolders.map((h) => [h.key, h]));
      const groupBy = new Map(groupHolders.map((h) => [h.key, h]));
      return {
        users: users.map((u) => {
          const h = userBy.get(nameKey(u.userName));
          return { user: user(u), key_holder: h ? user(h) : null };
        }),
        groups: groups.map((g) => {
          const h = groupBy.get(nameKey(g.displayName));
          return { group: group(g), key_holder: h ? group(h) : null };
        }),
      };
    },
  };
}
