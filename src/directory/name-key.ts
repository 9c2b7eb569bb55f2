/**
 * The identity of a name: the key under which a userName (RFC 7643 §4.1.1: unique, case-insensitive)
 * or an IdP group's displayName is unique and looked up. Two names a person reads as the same must
 * get the same key, so the key is the name
 *   1. in Unicode NFKC (UAX #15): fullwidth `ａ`, the ligature `ﬁ`, the Kelvin sign, a no-break space
 *      become their plain forms; NFD and NFC spellings become one;
 *   2. without ZWJ and ZWNJ (U+200D, U+200C): they shape Persian and Indic script but are invisible,
 *      so `ali‍ce` reads as `alice`; the name itself keeps them;
 *   3. trimmed of leading and trailing Unicode White_Space (JavaScript's trim() misses U+0085 and
 *      strips U+FEFF, which is no whitespace: hence the explicit property);
 *   4. case folded, then in NFKC again (folding can leave a non-normalised string: `ΐ`).
 * Computed here, in TypeScript, for writes, filters, imports and the start-time re-key alike: SQL's
 * lower() and normalize() follow the database's locale and version and would disagree. Pure.
 */

const JOINERS = /[\u200C\u200D]/gu;
const EDGE_SPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;

/**
 * Unicode full case folding (CaseFolding.txt, statuses C+F), which JavaScript lacks, approximated by
 * lower → upper → lower (locale-independent in ECMAScript). Upper-casing maps ß and ẞ to SS, ς and Σ
 * to Σ, ǅ to Ǆ; the last lower-casing gives the folded letters. Checked against Python's
 * str.casefold() on every assigned code point of Unicode 14, after NFKC: the same classes, except
 * that Turkish dotless ı (U+0131) joins i here (CaseFolding keeps it apart), so `ılker` and `ilker`
 * are one name. Cherokee folds to its capitals in CaseFolding and to its small letters here: a
 * different representative of the same class. Lower-casing first matters for ẞ (U+1E9E), whose
 * upper case is itself and whose lower case is ß. toLowerCase() writes a final sigma as ς by context
 * (ECMA-262 Final_Sigma); CaseFolding maps ς to σ (03C2; C; 03C3), and so does the key, so that it
 * does not depend on what follows a sigma.
 */
function caseFold(s: string): string {
  return s.toLowerCase().toUpperCase().toLowerCase().replace(/\u03C2/gu, "\u03C3");
}

export function nameKey(name: string): string {
  const plain = name.normalize("NFKC").replace(JOINERS, "").replace(EDGE_SPACE, "");
  return caseFold(plain).normalize("NFKC");
}

/**
 * A key's limit in UTF-8 bytes. A b-tree index entry holds at most ~2,700 bytes (PostgreSQL:
 * "index row size exceeds btree version 4 maximum 2704"), and NFKC can make one character eighteen
 * (U+FDFA), so the 1,024-character cap on identifiers does not bound the key. 2,048 keeps a margin and
 * still takes 1,024 characters of any script whose letters are two bytes (Latin, Greek, Cyrillic,
 * Hebrew, Arabic).
 */
export const MAX_KEY_BYTES = 2048;

/** Controls (Cc) and format characters (Cf): invisible or unprintable, so refused in names. */
const INVISIBLE = /\p{Cc}|\p{Cf}/u;

/**
 * Why `name` can't be a userName or displayName (`attribute` names it in the message), or undefined.
 * Refused: a control or format character other than ZWJ/ZWNJ (a tab, a newline, a zero-width space,
 * a bidirectional override, a BOM, a soft hyphen, tag characters), a name blank once keyed, and a key
 * over MAX_KEY_BYTES.
 */
export function nameProblem(name: string, attribute: string): string | undefined {
  let position = 0;
  for (const ch of name) {
    position++;
    if (ch === "\u200C" || ch === "\u200D" || !INVISIBLE.test(ch)) continue;
    const cp = ch.codePointAt(0)!;
    const kind = /\p{Cc}/u.test(ch) ? "a control character" : "a format character";
    return `${attribute} contains U+${cp.toString(16).toUpperCase().padStart(4, "0")} (${kind}) at position ${position}`;
  }
  const key = nameKey(name);
  if (key === "") return `${attribute} must not be blank`;
  const bytes = Buffer.byteLength(key, "utf8");
  if (bytes > MAX_KEY_BYTES) return `${attribute} is too long once normalised (${bytes} bytes of UTF-8; at most ${MAX_KEY_BYTES})`;
  return undefined;
}

/**
 * The key given to the newer of two records whose names collide under nameKey (found when existing
 * rows were re-keyed): U+0001 and the record's own id. nameProblem refuses U+0001 in names, so no
 * accepted name keys to it, and the id keeps it unique. The record keeps its name; an admin resolves
 * the collision (GET /api/v2/name-collisions, `scim-bridge collisions`).
 */
export function markedKey(id: string): string {
  return `\u0001${id}`;
}

export function isMarkedKey(id: string, key: string): boolean {
  return key === markedKey(id);
}

export function keyFits(key: string): boolean {
  return Buffer.byteLength(key, "utf8") <= MAX_KEY_BYTES;
}

/**
 * The key a record stores on a write whose name keys to `next`. A marked record keeps its mark while
 * `next` is held by another record (the older one keeps the name; the IdP can go on updating the newer
 * without a 409) or can't be indexed (a name stored before the length rule); otherwise it takes `next`,
 * and the collision is resolved. An unmarked record always takes `next` (its uniqueness is checked).
 */
export function keyOnWrite(record: { id: string; key: string }, next: string, heldByAnother: boolean): string {
  return isMarkedKey(record.id, record.key) && (heldByAnother || !keyFits(next)) ? record.key : next;
}
