/**
 * What can be an application group's name, for the admin API and for groups sync auto-creates from
 * claim values alike: not blank, at most GROUP_NAME_MAX_LENGTH characters. A claim value is IdP data of
 * up to 8,192 characters (a `title`, say); without this an auto-created group's name would go into the
 * unique (organization, name) index past what an index entry holds, failing every write of that user.
 */
export const GROUP_NAME_MAX_LENGTH = 255;

/** Why `value` can't name a group (a sentence fragment after "can't be a group name: "), or undefined. */
export function groupNameProblem(value: string): string | undefined {
  if (value.trim() === "") return "it is blank";
  if (value.length > GROUP_NAME_MAX_LENGTH) return `at most ${GROUP_NAME_MAX_LENGTH} characters`;
  return undefined;
}

/** A value as a problem message shows it: quoted, and cut after 64 characters with its length. */
export function shownValue(value: string): string {
  return value.length <= 64 ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, 64)).slice(0, -1)}…" (${value.length} characters)`;
}
