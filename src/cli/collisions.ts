import { Command } from "commander";
import type { NameCollisionList } from "../directory/name-collisions";
import { quote } from "../text/storable";
import { withBackend, withClientOptions, type ClientOptions, type OpenBackend } from "./connect";
import { table, terminalJson } from "./table";

/**
 * `scim-bridge collisions`: the users and IdP groups whose names became one name when name keys were
 * recomputed (as `GET /api/v2/name-collisions`). Opens the database directly, like `token list` (which
 * also recomputes the keys if this is the first start of this version), or asks a running bridge (client mode). Names are printed as JSON
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

export function collisionsCommand(io: { out: (line: string) => void }, open: OpenBackend): Command {
  const command = new Command("collisions")
    .description("list users and IdP groups whose names collided when name keys were recomputed (one of each pair is marked until renamed)")
    .option("--json", "print JSON instead of a table");
  return withClientOptions(command).action(async (opts: ClientOptions & { json?: boolean }) => {
    const list = await withBackend(open, "collisions", opts, (b) => b.nameCollisions());
    if (opts.json) io.out(collisionsJson(list));
    else if (list.users.length + list.groups.length === 0) io.out("no name collisions");
    else table(collisionRows(list)).forEach((l) => io.out(l));
  });
}
