/**
 * The one rule for text the bridge accepts: every string must be storable in PostgreSQL's `text` and
 * `jsonb`, on both databases. Two kinds of UTF-16 content are not:
 * - U+0000 (NUL): `text` refuses it ("invalid byte sequence for encoding UTF8: 0x00") and `jsonb`
 *   refuses its escape ("unsupported Unicode escape sequence"). PostgreSQL docs §8.3, §8.14.
 * - unpaired surrogates (U+D800–U+DFFF not forming a pair; JSON.parse of "\ud800" yields one): they
 *   are not Unicode scalar values (Unicode §3.9 D76), have no UTF-8 form (RFC 3629 §3), and the
 *   drivers silently turn them into U+FFFD, so what is stored would not be what was sent.
 * Everything else in U+0001–U+10FFFF is stored as sent. And JSON can only be stored nested so deep
 * (MAX_JSON_DEPTH). Pure functions; the HTTP layer and the export parser (API and CLI) apply these same ones.
 */

/** A NUL, a lone surrogate; with the `u` flag a well-formed surrogate pair is one code point and does not match. */
const UNSTORABLE = /[\u0000\ud800-\udfff]/u;

export interface UnstorableChar {
  /** UTF-16 index of the character in the string. */
  index: number;
  codePoint: number;
}

/** The first character of `s` the database can't store, or undefined when all of it can be stored. */
export function firstUnstorable(s: string): UnstorableChar | undefined {
  const m = UNSTORABLE.exec(s);
  if (!m) return undefined;
  return { index: m.index, codePoint: m[0].charCodeAt(0) };
}

export const isStorable = (s: string): boolean => !UNSTORABLE.test(s);

/** `U+0000 (NUL)`, `U+D800 (a lone surrogate)`. */
export function codePointName(codePoint: number): string {
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
  if (codePoint === 0) return `${hex} (NUL)`;
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return `${hex} (a lone surrogate)`;
  return hex;
}

export type JsonPath = readonly (string | number)[];

/**
 * How deep JSON may nest to be stored: Prisma's engine parses every JSON value it writes with a
 * recursion limit of 128 levels, its own wrapping included ("JSON Error: recursion limit exceeded", a
 * 500), and JSON.stringify itself overflows the stack a few thousand levels down. No SCIM resource or
 * admin body nests past a handful of levels; 64 leaves room for IdPs' custom extensions.
 */
export const MAX_JSON_DEPTH = 64;

export type UnstorableFound =
  | {
      reason: "character";
      /** Where the offending string is: object keys and array indexes from the root. */
      path: JsonPath;
      /** True when the offending string is the object key at the end of `path`, not a value. */
      inKey: boolean;
      codePoint: number;
    }
  | {
      reason: "depth";
      /** The first object or array nested deeper than `limit`. */
      path: JsonPath;
      inKey: false;
      limit: number;
    };

interface Node {
  value: unknown;
  parent: Node | undefined;
  segment: string | number | undefined;
  /** Objects and arrays enclosing this value. */
  depth: number;
}

function pathOf(node: Node): (string | number)[] {
  const out: (string | number)[] = [];
  for (let n: Node | undefined = node; n && n.segment !== undefined; n = n.parent) out.push(n.segment);
  return out.reverse();
}

/**
 * The first problem (in document order) that keeps a JSON value from being stored: a string, key or
 * value, holding a character the database can't store, or an object or array nested more than
 * `maxDepth` levels deep (the root object is level 1); `characters: false` checks the depth only. Iterative, so the deepest nesting JSON.parse
 * accepts can't overflow the stack here.
 */
export function findUnstorable(root: unknown, opts: { maxDepth?: number; characters?: boolean } = {}): UnstorableFound | undefined {
  const maxDepth = opts.maxDepth ?? MAX_JSON_DEPTH;
  const characters = opts.characters ?? true;
  const stack: Node[] = [{ value: root, parent: undefined, segment: undefined, depth: 0 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const v = node.value;
    if (typeof v === "string") {
      const bad = characters ? firstUnstorable(v) : undefined;
      if (bad) return { reason: "character", path: pathOf(node), inKey: false, codePoint: bad.codePoint };
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    const depth = node.depth + 1;
    if (depth > maxDepth) return { reason: "depth", path: pathOf(node), inKey: false, limit: maxDepth };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], parent: node, segment: i, depth });
      continue;
    }
    const keys = Object.keys(v);
    // Keys first, in order: a bad key is reported before anything under it.
    for (const k of characters ? keys : []) {
      const bad = firstUnstorable(k);
      if (bad) return { reason: "character", path: [...pathOf(node), k], inKey: true, codePoint: bad.codePoint };
    }
    for (let i = keys.length - 1; i >= 0; i--) stack.push({ value: (v as Record<string, unknown>)[keys[i]!], parent: node, segment: keys[i]!, depth });
  }
  return undefined;
}

/** A key printed as is in a path when it has nothing that could be misread (or be invisible). */
const PLAIN_KEY = /^[^\s"[\]\\\p{C}]+$/u;

/** A JSON string literal with every control, format, unassigned or surrogate character escaped. */
export function quote(s: string): string {
  return JSON.stringify(s).replace(/[\p{C}\p{Zl}\p{Zp}]/gu, (c) => {
    let escaped = "";
    for (let i = 0; i < c.length; i++) escaped += `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`;
    return escaped;
  });
}

/**
 * A readable path: `name.givenName`, `emails[0].value`, `Operations[0].value`; a key that is not
 * plain is quoted, `mapping["a\u0000b"]`, so the message never carries the character itself.
 */
export function formatPath(path: JsonPath): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${quote(seg)}]`;
  }
  return out;
}

/** What to tell the client: the field (path) and what is wrong with it. */
export function describeUnstorable(found: UnstorableFound, noun = "attribute"): { field: string; detail: string } {
  const field = formatPath(found.path) || "body";
  if (found.reason === "depth") return { field, detail: `nests deeper than ${found.limit} levels of objects and arrays, which can't be stored` };
  const what = codePointName(found.codePoint);
  return {
    field,
    detail: found.inKey ? `the ${noun} name contains ${what}, a character that can't be stored` : `contains ${what}, a character that can't be stored`,
  };
}

/** One line naming the field: `name.givenName: contains U+0000 (NUL), a character that can't be stored`. */
export function unstorableMessage(found: UnstorableFound, noun = "attribute"): string {
  const { field, detail } = describeUnstorable(found, noun);
  return `${field}: ${detail}`;
}
