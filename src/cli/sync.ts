import type { Command } from "commander";
import { DirectoryError } from "../directory/errors";
import { withBackend, withClientOptions, type ClientOptions, type OpenBackend } from "./connect";
import { readSettingsFile } from "./settings-file";

/**
 * `scim-bridge sync get|set`: the IdP sync settings from the command line, as
 * `GET|PUT /api/v2/settings/idpsync` read and save them (the same service: same checks, audited),
 * directly in the database or through a running bridge (client mode). Saving runs nothing over the
 * users: it prints the commands that preview and apply the change.
 */
export function addSyncCommands(program: Command, io: { out: (line: string) => void }, open: OpenBackend): void {
  const sync = program.command("sync").description("IdP sync settings (organization, group and role sync): read them, or save them from a file");

  withClientOptions(
    sync
      .command("get")
      .description("print the saved settings as JSON: {organization, organizations: {<name>: {groups, roles}}}, the file format of `sync set` and `reconcile --settings`"),
  ).action(async (opts: ClientOptions) => {
    io.out(JSON.stringify(await withBackend(open, "sync get", opts, (b) => b.getSyncSettings()), null, 2));
  });

  withClientOptions(
    sync
      .command("set")
      .description(
        "save settings from a JSON file (- for stdin) shaped as `sync get` prints them; any part may be left out and stays as saved " +
          "(organizations by id or name). Checked as the API checks them (nothing is saved if any part is bad) and audited. " +
          "Nothing is applied to existing users: preview the change first with `reconcile --settings FILE`, or after saving with `reconcile`",
      )
      .argument("<file>", "a JSON file, or - for stdin"),
  ).action(async (file: string, opts: ClientOptions) => {
    const candidate = readSettingsFile(file);
    if (!candidate.organization && Object.keys(candidate.organizations ?? {}).length === 0) throw new DirectoryError("invalid", "sync set: the file holds no settings to save");
    const saved = await withBackend(open, "sync set", opts, (b) => b.saveSyncSettings(candidate));
    io.out(`saved: ${saved.join(", ")}`);
    io.out("nothing was applied to existing users (each gets the settings at their next SCIM write). To see what changes for every user, then apply it:");
    io.out("  scim-bridge reconcile                      # a dry run with the saved settings");
    io.out("  scim-bridge reconcile --apply-run <run id> # apply the reviewed run (also the run of an earlier `reconcile --settings` preview of these settings)");
  });
}
