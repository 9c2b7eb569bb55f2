import { Command } from "commander";
import { openForProcess } from "../app";
import type { Config } from "../config/config";
import { createNameCollisions, type NameCollisionList } from "../directory/name-collisions";
import type { Logger } from "../log/logger";
import { quote } from "../text/storable";
import { table, terminalJson } from "./table";

/**
 * `scim-bridge collisions`: the users and IdP groups whose names became one name when name keys were
 * recomputed (as `GET /api/v2/name-collisions`). Opens the database directly, like `token list` (which
 * also recomputes the keys if this is the first start of this version). Names are printed as JSON
 * strings with every control, format, unassigned and private-use character (Unicode category C) and
 * line or paragraph separator escaped as \uXXXX (quote): what tells two names apart (a trailing space,
 * a fullwidth letter, a control character) is visible, and no terminal escape in a name reaches the
 * terminal, C1 controls (U+009B CSI), DEL and bidirectional overrides included, which JSON.stringify
 * alone leaves as they are.
 */

export function collisionRows(list: NameCollisionList): string[][] {
  return [
    ["KIND", "ID", "NAME", "CREATED", "NAME HELD BY", "HOLDER NAME"],
    ...list.users.map((c) => ["user", c.user.id, quote(c.user.user_name), c.user.created_at, c.key_holder?.id ?? "-", c.key_holder ? quote(c.key_holder.user_name) : "-"]),
    ...list.groups.map((c) => ["group", c.group.id, quote(c.group.display_name), c.group.created_at, c.key_holder?.id ?? "-", c.key_holder ? quote(c.key_holder.display_name) : "-"]),
  ];
}

/** The listing as JSON text with the same characters escaped as in the table. */
export const collisionsJson = (list: NameCollisionList): string => terminalJson(list);

export function collisionsCommand(io: { out: (line: string) => void }, loadConfig: () => Config, logger: (c: Config) => Logger): Command {
  return new Command("collisions")
    .description("list users and IdP groups whose names collided when name keys were recomputed (one of each pair is marked until renamed)")
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
      if (opts.json) io.out(collisionsJson(list));
      else if (list.users.length + list.groups.length === 0) io.out("no name collisions");
      else table(collisionRows(list)).forEach((l) => io.out(l));
    });
}
