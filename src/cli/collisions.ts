import { Command } from "commander";
import { openForProcess } from "../app";
import type { Config } from "../config/config";
import { createNameCollisions, type NameCollisionList } from "../directory/name-collisions";
import type { Logger } from "../log/logger";
import { table } from "./table";

/**
 * `scim-bridge collisions`: the users and IdP groups whose names became one name when name keys were
 * recomputed (as `GET /api/v2/name-collisions`). Opens the database directly, like `token list` (which
 * also recomputes the keys if this is the first start of this version). Names are printed as JSON
 * strings, so that what tells them apart (a trailing space, a fullwidth letter, a control character) is
 * visible and no terminal escape in a name reaches the terminal.
 */

function rows(list: NameCollisionList): string[][] {
  return [
    ["KIND", "ID", "NAME", "CREATED", "NAME HELD BY", "HOLDER NAME"],
    ...list.users.map((c) => ["user", c.user.id, JSON.stringify(c.user.user_name), c.user.created_at, c.key_holder?.id ?? "-", c.key_holder ? JSON.stringify(c.key_holder.user_name) : "-"]),
    ...list.groups.map((c) => ["group", c.group.id, JSON.stringify(c.group.display_name), c.group.created_at, c.key_holder?.id ?? "-", c.key_holder ? JSON.stringify(c.key_holder.display_name) : "-"]),
  ];
}

export function collisionsCommand(io: { out: (line: string) => void }, loadConfig: () => Config, logger: (c: Config) => Logger): Command {
  return new Command("collisions")
    .description("list users and IdP groups whose names collided when name keys were recomputed (the newer of each pair is marked until renamed)")
    .option("--json", "print JSON instead of a table")
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const { db, close } = await openForProcess(config, "collisions", logger(config));
      let list: NameCollisionList;
      try {
        list = await createNameCollisions(db.prisma).list();
      } finally {
        await close();
      }
      if (opts.json) io.out(JSON.stringify(list, null, 2));
      else if (list.users.length + list.groups.length === 0) io.out("no name collisions");
      else table(rows(list)).forEach((l) => io.out(l));
    });
}
