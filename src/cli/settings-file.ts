import fs from "node:fs";
import { DirectoryError } from "../directory/errors";
import { findUnstorable, unstorableMessage } from "../text/storable";
import { candidateSettingsSchema, type CandidateSettings } from "../sync/settings-bodies";

/**
 * Reads IdP sync settings from a JSON file, or stdin for `-`, in the shape `sync get` prints and a
 * resync's `settings` takes: `{organization?, organizations?: {<org id or name>: {groups?, roles?}}}`,
 * each part as its PATCH route takes it. A bad file is an error naming each bad field.
 */
export function readSettingsFile(file: string): CandidateSettings {
  let text: string;
  try {
    text = fs.readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (err) {
    throw new DirectoryError("invalid", `cannot read ${file === "-" ? "stdin" : file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DirectoryError("invalid", `${file === "-" ? "stdin" : file} is not valid JSON (${(err as Error).message})`);
  }
  // As the API refuses them before any handler: strings the database can't store (U+0000, lone surrogates).
  const unstorable = findUnstorable(json);
  if (unstorable) throw new DirectoryError("invalid", `${file === "-" ? "stdin" : file}: ${unstorableMessage(unstorable, "setting")}`);
  const parsed = candidateSettingsSchema.safeParse(json);
  if (!parsed.success) {
    throw new DirectoryError("invalid", `${file === "-" ? "stdin" : file}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}
