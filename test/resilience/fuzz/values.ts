import fc from "fast-check";

/**
 * The values the fuzzer puts into requests: strings the database can't store (U+0000, lone
 * surrogates), control and format characters, full Unicode, very long text, number-like text; numbers
 * at and past every column and LIMIT bound (2^31, 2^53+1, 1e400 as raw JSON), fractions, negatives;
 * booleans, null; arrays and objects (keys as nasty as the values), and nesting deep enough to break
 * a JSON stack. And how they travel: JSON text with raw number literals, and percent-encoded URLs
 * that can carry lone surrogates (WTF-8 bytes).
 */

/** A JSON fragment sent verbatim (numbers JavaScript can't hold, nesting JSON.stringify can't write). */
export class Raw {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const units = [
  "\u0000", "\ud800", "\udbff", "\udc00", "\udfff", "\u0001", "\u0008", "\u001b", "\u001f", "\u007f", "\u0085", "\u00a0", "\u00ad",
  "\u200b", "\u200c", "\u200d", "\u2028", "\u202e", "\u2060", "\ufeff", "\ufffd", "\ufffe", "\uffff", "\ud83d\ude00", "\u{10ffff}", "\u0130", "\u212a",
  "a", "Z", "0", "9", "-", "%", "_", "*", "\\", '"', "'", " ", "\t", "\n", "\r", "/", ".", "..", "@", ":", ";", ",", "=", "&", "?", "#", "+",
  "[", "]", "{", "}", "(", ")", " eq ", " or ", " and ", "not ", "$", "\u0301", "ｆ",
];

const nastyText = fc.string({ unit: fc.constantFrom(...units), maxLength: 24 });

const numberLike = fc.constantFrom(
  "NaN", "Infinity", "-Infinity", "1e309", "-0", "0x1F", "1e3", " 1 ", "1.5", "-1", "0", "",
  "2147483647", "2147483648", "-2147483649", "4294967296", "9007199254740991", "9007199254740993", "18446744073709551616", "1e-400",
  "null", "true", "false", "[]", "{}", "undefined",
);

const syntaxLike = fc.constantFrom(
  'userName eq "a"', "' OR 1=1 --", "%", "_", "\\", "%%", 'emails[type eq "work"].value', 'members[value eq "x"]',
  "urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
  "00000000-0000-4000-8000-000000000000", "not-a-uuid", "../..", "%2F", "a/b", "status:suspended", "username:", "(?:a+)+$", "^(a+)+$", "*",
);

const longText = fc
  .tuple(fc.integer({ min: 256, max: 12_000 }), fc.constantFrom("a", "é", "山", "😀", "\u0000", " ", "\ud800", "%"))
  .map(([n, c]) => c.repeat(n));

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: nastyText },
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  { weight: 2, arbitrary: numberLike },
  { weight: 2, arbitrary: syntaxLike },
  { weight: 1, arbitrary: longText },
);

const rawNumber = fc
  .constantFrom("1e400", "-1e400", "123456789012345678901234567890", "9007199254740993", "0.30000000000000000000001", "-0", "1E2", "1e-400", "2147483648.0", "-2147483649")
  .map((t) => new Raw(t));

export const nastyNumber: fc.Arbitrary<number | Raw> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53 + 2, 2 ** 63, 1e308, -1e308, 0, -0, 0.5, -1, 1e-7, 1, 200, 201, 1000, 1001, 5000, 5001, 60, 61) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: rawNumber },
);

/** Arrays or objects nested far deeper than any API body, as raw text. */
const deepNesting = fc
  .tuple(fc.integer({ min: 60, max: 5000 }), fc.boolean())
  .map(([n, arrays]) => new Raw(arrays ? `${"[".repeat(n)}1${"]".repeat(n)}` : `${'{"a":'.repeat(n)}1${"}".repeat(n)}`));

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: nastyString },
  { weight: 3, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** Any value: mostly scalars, sometimes shapes (arrays, objects with nasty keys), rarely absurd nesting. */
export const nastyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 10, arbitrary: scalar },
    { weight: 2, arbitrary: fc.array(tie("value"), { maxLength: 4 }) },
    { weight: 2, arbitrary: fc.dictionary(nastyString, tie("value"), { maxKeys: 4 }) },
    { weight: 1, arbitrary: deepNesting },
  ),
})).value;

/** JSON text of a value holding Raw fragments. */
export function jsonText(value: unknown): string {
  const raws: string[] = [];
  const token = `@@raw-${Math.random().toString(36).slice(2)}-`;
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Raw) {
      raws.push(v.text);
      return `${token}${raws.length - 1}`;
    }
    return v;
  });
  if (text === undefined) return "null";
  return raws.length === 0 ? text : text.replace(new RegExp(`"${token}(\\d+)"`, "g"), (_m, i: string) => raws[Number(i)]!);
}

/** UTF-8 bytes of every code point, lone surrogates included (WTF-8), percent-encoded but for unreserved ASCII. */
export function percentEncode(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const cp = s.codePointAt(i)!;
    if (cp > 0xffff) i++;
    const bytes =
      cp < 0x80 ? [cp]
      : cp < 0x800 ? [0xc0 | (cp >> 6), 0x80 | (cp & 63)]
      : cp < 0x10000 ? [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)]
      : [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
    for (const b of bytes) out += /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) && b < 0x80 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** A value as URL text: strings as they are, numbers and raw text as written, anything else as JSON. */
export function urlText(v: unknown): string {
  if (typeof v === "string") return v;
  if (v instanceof Raw) return v.text;
  if (v === null || v === undefined) return "";
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return jsonText(v);
}

/** A query string (`?a=1&a=2` for arrays). */
export function queryString(query: unknown): string {
  if (query === null || typeof query !== "object" || Array.isArray(query)) return query === undefined ? "" : `?${percentEncode(urlText(query))}`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    for (const one of Array.isArray(v) ? v : [v]) parts.push(`${percentEncode(k)}=${percentEncode(urlText(one))}`);
  }
  return parts.length > 0 ? `?${parts.join("&")}` : "";
}
