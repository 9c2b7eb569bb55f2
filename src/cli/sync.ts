import type { Command } from "commander";
import { openForProcess } from "../app";
import type { Config } from "../config/config";
import { DirectoryError } from "../directory/errors";
import type { Logger } from "../log/logger";
import { createSyncSettings } from "../sync/settings-service";
import { readSettingsFile } from "./settings-file";

/**
 * `scim-bridge sync get|set`: the IdP sync settings from the command line, as
 * `/api/v2/…/settings/idpsync/…` read and save them (the same service: same checks, audited). Opens
 * the database directly, like `token`; with the embedded database while the server runs, use the API.
 * Saving runs nothing over the users: it prints the commands that preview and apply the change.
 */
export function addSyncCommands(program: Command, io: { out: (line: string) => void }, loadConfig: () => Config, logger: (c: Config) => Logger, actor: string): void {
  const sync = program.command("sync").description("IdP sync settings (organization, group and role sync): read them, or save them from a file");

  async function withSettings<T>(purpose: string, fn: (s: ReturnType<typeof createSyncSettings>) => Promise<T>): Promise<T> {
    const config = loadConfig();
    const { db, close } = await openForProcess(config, purpose, logger(config));
    try {
      return await fn(createSyncSettings(db.prisma));
    } finally {
      await close();
    }
  }

  sync
    .command("get")
    .description("print the saved settings as JSON: {organization, organizations: {<name>: {groups, roles}}}, the file format of `sync set` and `reconcile --settings`")
    .action(async () => {
      io.out(JSON.stringify(await withSettings("sync get", (s) => s.getAll()), null, 2));
    });

  sync
    .command("set")
    .description(
      "save settings from a JSON file (- for stdin) shaped as `sync get` prints them; any part may be left out and stays as saved " +
        "(organizations by id or name). Checked as the API checks them (nothing is saved if any part is bad) and audited. " +
        "Nothing is applied to existing users: preview the change first with `reconcile --settings FILE`, or after saving with `reconcile`",
    )
    .argument("<file>", "a JSON file, or - for stdin")
    .action(async (file: string) => {
      const candidate = readSettingsFile(file);
      if (!candidate.organization && Object.keys(candidate.organizations ?? {}).length === 0) throw new DirectoryError("invalid", "sync set: the file holds no settings to save");
      const saved = await withSettings("sync set", (s) => s.saveAll(candidate, actor));
      io.out(`saved: ${saved.join(", ")}`);
      io.out("nothing was applied to existing users (each gets the settings at their next SCIM write). To see what changes for every user, then apply it:");
      io.out("  scim-bridge reconcile                      # a dry run with the saved settings");
      io.out("  scim-bridge reconcile --apply-run <run id> # apply the reviewed run (also the run of an earlier `reconcile --settings` preview of these settings)");
    });
}
