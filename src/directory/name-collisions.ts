import type { PrismaClient } from "../generated/prisma/client";
import { nameKey } from "./name-key";

/**
 * The records whose name collided with an older record's when name keys were recomputed (they carry
 * a marked key, see name-key.ts), each with the record holding the name's key now, for an admin to
 * resolve: rename or delete one of the two at the IdP. A marked record leaves the list by itself at its
 * next write once its name's key is free (renamed, or the holder renamed or deleted); `key_holder` is
 * null when nobody holds it any more, or when the name is too long to be a key.
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
      // A marked key is U+0001 and the record's own id (markedKey). Few rows; the scan is an admin's.
      const users = await prisma.$queryRaw<UserRow[]>`
        SELECT id::text AS id, user_name AS "userName", username, status::text AS status, created_at AS "createdAt", user_name_key AS key
          FROM users WHERE user_name_key = chr(1) || id::text ORDER BY created_at, id`;
      const userHolders = users.length === 0 ? [] : await prisma.$queryRaw<UserRow[]>`
        SELECT id::text AS id, user_name AS "userName", username, status::text AS status, created_at AS "createdAt", user_name_key AS key
          FROM users WHERE user_name_key = ANY(${users.map((u) => nameKey(u.userName))}::text[])`;
      const groups = await prisma.$queryRaw<GroupRow[]>`
        SELECT id::text AS id, display_name AS "displayName", created_at AS "createdAt", display_name_key AS key
          FROM idp_groups WHERE display_name_key = chr(1) || id::text ORDER BY created_at, id`;
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
