/**
 * The identity of a name: the key under which a userName (RFC 7643 §4.1.1: unique, case-insensitive)
 * or an IdP group's displayName is unique and looked up. Two names a person reads as the same must
 * get the same key, so the key is the name
 *   1. in Unicode NFKC (UAX #15): fullwidth `ａ`, the ligature `ﬁ`, the Kelvin sign, a no-break space
 *      become their plain forms; NFD and NFC spellings become one;
 *   2. without default-ignorable code points (Unicode's Default_Ignorable_Code_Point, which a renderer
 *      shows as nothing when it doesn't apply them): ZWJ and ZWNJ (U+200D, U+200C), which shape Persian
 *      and Indic script; the combining grapheme joiner (U+034F); variation selectors (U+FE00–FE0F,
 *      U+E0100–E01EF, Mongolian U+180B–180F), which choose a glyph; the Hangul fillers (U+115F, U+1160,
 *      U+3164, U+FFA0); and the default-ignorable format characters, which nameProblem refuses anyway.
 *      So `ali\u200dce`, `alice\ufe0e` and `\u3164alice` read as `alice` and are `alice`; the name
 *      itself keeps them;
 *   3. trimmed of leading and trailing Unicode White_Space (JavaScript's trim() misses U+0085 and
 *      strips U+FEFF, which is no whitespace: hence the explicit property);
 *   4. case folded, then in NFKC again (folding can leave a non-normalised string: `ΐ`).
 * Computed here, in TypeScript, for writes, filters, imports and the start-time re-key alike: SQL's
 * lower() and normalize() follow the database's locale and version and would disagree. Pure.
 */

/** After NFKC, which maps U+3164 and U+FFA0 to U+1160, itself default-ignorable. */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
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
  const plain = name.normalize("NFKC").replace(IGNORABLE, "").replace(EDGE_SPACE, "");
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
 * a bidirectional override, a BOM, a soft hyphen, tag characters), a name blank once keyed (only
 * whitespace and default-ignorables: `ㅤ`, a lone variation selector), and a key over MAX_KEY_BYTES.
 * Other default-ignorables (variation selectors, the grapheme joiner, Hangul fillers) are accepted:
 * emoji and ideographic variation sequences need them; the key leaves them out.
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
 * What starts a marked key: U+2126 OHM SIGN, a character no key can hold. nameKey's last step is NFKC,
 * and NFKC (NFC too) replaces U+2126 with U+03A9 (its canonical singleton decomposition), so no name of
 * any kind, accepted or refused, keys to a string holding it; and the keys of earlier versions,
 * `name.toLowerCase()`, can't hold it either (it lower-cases to U+03C9, and nothing lower-cases to it).
 * Decompositions are frozen (Unicode's normalization stability policy): no Unicode version changes this.
 * A control character would not do: versions before the naming rules accepted them, so a stored name
 * `\u0001<id>` would already hold that key and the re-key would fail on the unique index at every start.
 */
export const MARK = "\u2126";

/**
 * The key given to the record that loses a collision under nameKey (found when existing rows were
 * re-keyed; the other, not SCIM-deleted or else the older, keeps the name): MARK and the record's own id. No name keys to it, and the id keeps it unique.
 * The record keeps its name; an admin resolves the collision (GET /api/v2/name-collisions,
 * `scim-bridge collisions`).
 */
export function markedKey(id: string): string {
  return `${MARK}${id}`;
}

export function isMarkedKey(id: string, key: string): boolean {
  return key === markedKey(id);
}

export function keyFits(key: string): boolean {
  return Buffer.byteLength(key, "utf8") <= MAX_KEY_BYTES;
}

/**
 * The key a record stores on a write whose name keys to `next`. A marked record keeps its mark only
 * while it keeps the name it was marked for, in any spelling (`next` is the key of its stored `name`),
 * and that key is held by another record (the holder keeps the name; the IdP can go on updating the
 * marked record without a 409) or can't be indexed (a name stored before the length rule). Otherwise it takes
 * `next`: a free key resolves the collision, and a key held by another is the caller's 409 like for
 * any record (a mark is no licence to take another record's name). An unmarked record always takes
 * `next` (its uniqueness is checked).
 */
export function keyOnWrite(record: { id: string; key: string; name: string }, next: string, heldByAnother: boolean): string {
  if (!isMarkedKey(record.id, record.key) || next !== nameKey(record.name)) return next;
  return heldByAnother || !keyFits(next) ? record.key : next;
}
