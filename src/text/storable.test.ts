import fc from "fast-check";
import { codePointName, describeUnstorable, findUnstorable, firstUnstorable, formatPath, isStorable, MAX_JSON_DEPTH, quote, type JsonPath } from "./storable";

/** What PostgreSQL stores unchanged: UTF-8 round-trips it (no lone surrogate) and it has no NUL. */
const roundTrips = (s: string) => !s.includes("\u0000") && Buffer.from(s, "utf8").toString("utf8") === s;

/** Any UTF-16 string: code points of the whole range plus lone surrogates and NULs. */
const anyUnit = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: "binary", maxLength: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u)) },
  { weight: 1, arbitrary: fc.constant("\u0000") },
);
const anyString = fc.array(anyUnit, { maxLength: 12 }).map((parts) => parts.join(""));
const badChar = fc.oneof(fc.constant("\u0000"), fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u)));

describe("firstUnstorable", () => {
  it.each([
    ["an empty string", "", undefined],
    ["plain ASCII", "alice@corp.example", undefined],
    ["accents, CJK and emoji (a surrogate pair)", "Alíce 山田 😀", undefined],
    ["other control characters, which PostgreSQL stores", "tab\there\u0001\u007f\u009f", undefined],
    ["noncharacters and the replacement character", "\ufffe\uffff\ufffd", undefined],
    ["the highest code point", "\udbff\udfff", undefined],
    ["a NUL", "ab\u0000c", { index: 2, codePoint: 0 }],
    ["a lone high surrogate", "x\ud800", { index: 1, codePoint: 0xd800 }],
    ["a lone low surrogate", "\udc00x", { index: 0, codePoint: 0xdc00 }],
    ["a low surrogate before a high one (reversed pair)", "\ude00\ud83d", { index: 0, codePoint: 0xde00 }],
    ["a pair then a lone surrogate", "😀\ud83d", { index: 2, codePoint: 0xd83d }],
    ["the first of several", "a\ud800\u0000", { index: 1, codePoint: 0xd800 }],
  ])("%s", (_name, s, expected) => {
    expect(firstUnstorable(s)).toEqual(expected);
    expect(isStorable(s)).toBe(expected === undefined);
  });

  it("agrees with a UTF-8 round trip on any string", () => {
    fc.assert(
      fc.property(anyString, (s) => {
        expect(isStorable(s)).toBe(roundTrips(s));
        const bad = firstUnstorable(s);
        if (bad) {
          // The reported character is there, and everything before it is storable.
          expect(s.charCodeAt(bad.index)).toBe(bad.codePoint);
          expect(roundTrips(s.slice(0, bad.index))).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("codePointName", () => {
  it.each([
    [0, "U+0000 (NUL)"],
    [0xd800, "U+D800 (a lone surrogate)"],
    [0xdfff, "U+DFFF (a lone surrogate)"],
    [0x41, "U+0041"],
  ])("%i is %s", (cp, name) => expect(codePointName(cp)).toBe(name));
});

describe("formatPath", () => {
  it.each<[JsonPath, string]>([
    [[], ""],
    [["userName"], "userName"],
    [["name", "givenName"], "name.givenName"],
    [["emails", 0, "value"], "emails[0].value"],
    [["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "department"], "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department"],
    [["mapping", "a\u0000b"], 'mapping["a\\u0000b"]'],
    [["x\ud800"], '["x\\ud800"]'],
    [["has space"], '["has space"]'],
    [["zero\u200bwidth"], '["zero\\u200bwidth"]'],
    [[""], '[""]'],
    [[3], "[3]"],
  ])("%j is %s", (path, text) => expect(formatPath(path)).toBe(text));

  it("never carries an unstorable or invisible character", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(anyString, fc.nat()), { maxLength: 4 }), (path) => {
        const text = formatPath(path);
        expect(isStorable(text)).toBe(true);
        expect(text).not.toMatch(/[\p{Cc}\p{Cf}]/u);
      }),
    );
  });

  it("quotes as a JSON string literal that parses back", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => expect(JSON.parse(quote(s))).toBe(s)));
  });
});

describe("findUnstorable", () => {
  it.each<[string, unknown, ReturnType<typeof findUnstorable>]>([
    ["a clean document", { userName: "a", emails: [{ value: "a@b" }], n: 1, b: true, z: null }, undefined],
    ["a value", { userName: "a\u0000" }, { path: ["userName"], reason: "character", inKey: false, codePoint: 0 }],
    ["a nested value", { name: { givenName: "x\ud800" } }, { path: ["name", "givenName"], reason: "character", inKey: false, codePoint: 0xd800 }],
    ["a value in an array", { emails: [{ value: "ok" }, { value: "\u0000" }] }, { path: ["emails", 1, "value"], reason: "character", inKey: false, codePoint: 0 }],
    ["a key", { "a\u0000": 1 }, { path: ["a\u0000"], reason: "character", inKey: true, codePoint: 0 }],
    ["a nested key", { mapping: { "\udc00": ["x"] } }, { path: ["mapping", "\udc00"], reason: "character", inKey: true, codePoint: 0xdc00 }],
    ["the first in document order", { a: ["ok", "\u0000"], b: "\ud800" }, { path: ["a", 1], reason: "character", inKey: false, codePoint: 0 }],
    ["a bare string", "\u0000", { path: [], reason: "character", inKey: false, codePoint: 0 }],
  ])("finds %s", (_name, doc, expected) => expect(findUnstorable(doc)).toEqual(expected));

  it("walks nesting deeper than the call stack", () => {
    let doc: unknown = "\u0000";
    for (let i = 0; i < 100_000; i++) doc = [doc];
    expect(findUnstorable(doc, { maxDepth: Infinity })?.path).toHaveLength(100_000);
    expect(findUnstorable(doc)).toEqual({ reason: "depth", path: Array(MAX_JSON_DEPTH).fill(0), inKey: false, limit: MAX_JSON_DEPTH });
  });

  it.each<[string, number, boolean]>([
    ["an object 64 levels deep", 64, true],
    ["an object 65 levels deep", 65, false],
  ])("takes %s: %s", (_n, levels, ok) => {
    let doc: unknown = 1;
    for (let i = 0; i < levels; i++) doc = { a: doc };
    expect(findUnstorable(doc) === undefined).toBe(ok);
    if (!ok) expect(findUnstorable(doc)?.path).toEqual(Array(64).fill("a"));
    expect(findUnstorable({ deep: doc, s: "\u0000" }, { characters: false, maxDepth: 100 })).toBeUndefined();
  });

  it("finds nothing in any JSON whose strings are all storable", () => {
    fc.assert(fc.property(fc.jsonValue(), (doc) => expect(findUnstorable(doc)).toBeUndefined()));
  });

  it("finds a bad string placed anywhere, as key or value, and names where it is", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.array(fc.nat(), { maxLength: 5 }), anyString, badChar, anyString, fc.boolean(), (doc, route, pre, bad, post, asKey) => {
        // Separators, so that the bad character cannot pair up with a neighbour into a valid surrogate pair.
        const text = `${pre}|${bad}|${post}`;
        // Walk `route` into the document as far as it goes, then put the bad text there.
        const root = { doc };
        let parent: Record<string, unknown> | unknown[] = root;
        let key: string | number = "doc";
        for (const step of route) {
          const cur: unknown = (parent as Record<string | number, unknown>)[key];
          if (Array.isArray(cur) && cur.length > 0) [parent, key] = [cur, step % cur.length];
          else if (cur !== null && typeof cur === "object" && Object.keys(cur).length > 0) {
            const keys = Object.keys(cur);
            [parent, key] = [cur as Record<string, unknown>, keys[step % keys.length]!];
          } else break;
        }
        if (asKey) (parent as Record<string | number, unknown>)[key] = { [text]: 1 };
        else (parent as Record<string | number, unknown>)[key] = text;
        const found = findUnstorable(root);
        expect(found?.reason).toBe("character");
        if (found?.reason !== "character") return;
        // The path leads to an offending string (the first one, not necessarily the one placed).
        let at: unknown = root;
        for (const seg of found.path.slice(0, found.inKey ? -1 : undefined)) at = (at as Record<string | number, unknown>)[seg];
        const offending = found.inKey ? String(found.path[found.path.length - 1]) : at;
        expect(typeof offending).toBe("string");
        expect(firstUnstorable(offending as string)?.codePoint).toBe(found.codePoint);
        if (found.inKey) expect(Object.keys(at as object)).toContain(offending);
      }),
      { numRuns: 500 },
    );
  });
});

describe("describeUnstorable", () => {
  it.each<[Parameters<typeof describeUnstorable>[0], { field: string; detail: string }]>([
    [{ path: ["name", "givenName"], reason: "character", inKey: false, codePoint: 0 }, { field: "name.givenName", detail: "contains U+0000 (NUL), a character that can't be stored" }],
    [{ path: ["x\u0000"], reason: "character", inKey: true, codePoint: 0 }, { field: '["x\\u0000"]', detail: "the attribute name contains U+0000 (NUL), a character that can't be stored" }],
    [{ path: [], reason: "character", inKey: false, codePoint: 0xd800 }, { field: "body", detail: "contains U+D800 (a lone surrogate), a character that can't be stored" }],
    [{ path: ["x", 0], reason: "depth", inKey: false, limit: 64 }, { field: "x[0]", detail: "nests deeper than 64 levels of objects and arrays, which can't be stored" }],
  ])("%j", (found, expected) => expect(describeUnstorable(found)).toEqual(expected));
});
