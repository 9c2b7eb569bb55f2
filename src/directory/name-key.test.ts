import fc from "fast-check";
import { isMarkedKey, keyOnWrite, MAX_KEY_BYTES, markedKey, nameKey, nameProblem } from "./name-key";

describe("nameKey", () => {
  it.each([
    ["alice", "alice"],
    ["Alice", "alice"],
    ["ALICE", "alice"],
    ["alice ", "alice"],
    [" alice", "alice"],
    ["\t alice \n", "alice"],
    ["\u3000alice\u00A0", "alice"],
    ["alice\u0085", "alice"], // NEL is Unicode White_Space (JavaScript's trim() leaves it)
    ["\uFF41\uFF4C\uFF49\uFF43\uFF45", "alice"], // fullwidth
    ["ali\u200Dce", "alice"], // ZWJ
    ["al\u200Cice", "alice"], // ZWNJ
    ["\u200D alice \u200C", "alice"], // joiners outside the whitespace still trim
    ["Ali\u0301ce", "al\u00EDce"], // NFD → NFC
    ["AL\u00CDCE", "al\u00EDce"],
    ["al i ce", "al i ce"], // inner whitespace is kept
    ["stra\u00DFe", "strasse"], // CaseFolding 00DF; F; 0073 0073
    ["STRASSE", "strasse"],
    ["stra\u1E9Ee", "strasse"], // CaseFolding 1E9E; F; 0073 0073 (upper-then-lower alone gives ß)
    ["\u039F\u0394\u039F\u03A3", "\u03BF\u03B4\u03BF\u03C3"], // ΟΔΟΣ: one sigma for all three forms
    ["\u03BF\u03B4\u03BF\u03C2", "\u03BF\u03B4\u03BF\u03C3"], // final sigma ς → σ (CaseFolding 03C2; C; 03C3)
    ["\u212A", "k"], // Kelvin sign (NFKC)
    ["\uFB01le", "file"], // ﬁ ligature (NFKC)
    ["\u017Fun", "sun"], // long s
    ["\u01C5", "d\u017E"], // titlecase ǅ → ǆ (CaseFolding 01C5; C; 01C6), which NFKC spells dž
    ["\u0130", "i\u0307"], // İ → i + combining dot (CaseFolding 0130; F; 0069 0307)
    ["\u0131", "i"], // dotless ı: CaseFolding keeps ı; ours merges it with i (documented difference)
    ["\u13A0", "\uAB70"], // Cherokee: a different representative of the same class
    ["\uAB70", "\uAB70"],
    ["   ", ""],
    ["", ""],
  ])("keys %j as %j", (name, key) => {
    expect(nameKey(name)).toBe(key);
  });

  it("keeps ZWJ out of the key but everything else in (a refused name still gets a key)", () => {
    expect(nameKey("al\u200Bice")).toBe("al\u200Bice");
    expect(nameKey("\u0001x")).toBe("\u0001x");
  });

  const variants = fc.constantFrom<(s: string) => string>(
    (s) => s.toUpperCase(),
    (s) => s.toLowerCase(),
    (s) => s.normalize("NFD"),
    (s) => s.normalize("NFC"),
    (s) => ` ${s}\u3000`,
    (s) => `\u200D${s}\u200C`,
    (s) => [...s].join("\u200D"),
    // Fullwidth forms of ASCII letters and digits (U+FF01–U+FF5E), which NFKC maps back.
    (s) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)),
  );
  const names = fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }));

  it("is idempotent", () => {
    fc.assert(fc.property(names, (s) => nameKey(nameKey(s)) === nameKey(s)), { numRuns: 5000 });
  });

  it("gives every spelling variant of a name the key of the name", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.array(variants, { maxLength: 4 }), (s, fs) => nameKey(fs.reduce((x, f) => f(x), s)) === nameKey(s)),
      { numRuns: 5000 },
    );
  });

  it("never starts or ends a key with whitespace, and never keeps a joiner", () => {
    fc.assert(
      fc.property(names, (s) => {
        const k = nameKey(s);
        return !/^\p{White_Space}|\p{White_Space}$/u.test(k) && !/[\u200C\u200D]/u.test(k);
      }),
      { numRuns: 5000 },
    );
  });
});

describe("nameProblem", () => {
  it.each([
    ["alice", undefined],
    ["  alice  ", undefined],
    ["\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645", undefined], // Persian with ZWNJ
    ["\u0915\u094D\u200D\u0937", undefined], // Devanagari with ZWJ
    ["\uD83D\uDC69\u200D\uD83D\uDCBB", undefined], // an emoji ZWJ sequence
    ["", "userName must not be blank"],
    ["   ", "userName must not be blank"],
    ["\u3000\u00A0", "userName must not be blank"],
    ["\u200D", "userName must not be blank"],
    ["al\u200Bice", "userName contains U+200B (a format character) at position 3"],
    ["ali\tce", "userName contains U+0009 (a control character) at position 4"],
    ["alice\n", "userName contains U+000A (a control character) at position 6"],
    ["\u0001alice", "userName contains U+0001 (a control character) at position 1"],
    ["x\u0085", "userName contains U+0085 (a control character) at position 2"],
    ["\uFEFFbob", "userName contains U+FEFF (a format character) at position 1"],
    ["\u202Eecila", "userName contains U+202E (a format character) at position 1"],
    ["\u00ADsoft", "userName contains U+00AD (a format character) at position 1"],
    ["\uD83D\uDE00\u200B", "userName contains U+200B (a format character) at position 2"], // positions count code points
    ["a\uDB40\uDC01", "userName contains U+E0001 (a format character) at position 2"],
  ])("judges %j: %j", (name, problem) => {
    expect(nameProblem(name, "userName")).toBe(problem);
  });

  it("names the attribute", () => {
    expect(nameProblem(" ", "displayName")).toBe("displayName must not be blank");
  });

  it("refuses a name whose key is longer than the unique index can hold", () => {
    // U+FDFA: one character, eighteen after NFKC (33 bytes of UTF-8).
    expect(nameKey("\uFDFA")).toHaveLength(18);
    expect(nameProblem("\uFDFA".repeat(62), "userName")).toBeUndefined();
    expect(nameProblem("\uFDFA".repeat(63), "userName")).toBe(`userName is too long once normalised (2079 bytes of UTF-8; at most ${MAX_KEY_BYTES})`);
    expect(nameProblem("a".repeat(MAX_KEY_BYTES), "userName")).toBeUndefined();
    expect(nameProblem("a".repeat(MAX_KEY_BYTES + 1), "userName")).toMatch(/too long/);
  });

  it("accepts every name whose key is what the name shows: never a blank key, never a key over the bound", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "grapheme", maxLength: 2000 })), (s) => {
        if (nameProblem(s, "userName") !== undefined) return true;
        const k = nameKey(s);
        return k !== "" && Buffer.byteLength(k, "utf8") <= MAX_KEY_BYTES && !/[\p{Cc}]/u.test(s);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("marked keys", () => {
  const id = "00000000-0000-4000-8000-000000000001";
  it("are never the key of a name the bridge accepts", () => {
    expect(markedKey(id)).toBe(`\u0001${id}`);
    expect(nameProblem(markedKey(id), "userName")).toMatch(/U\+0001/);
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (s) => nameProblem(s, "userName") !== undefined || !nameKey(s).startsWith("\u0001")));
  });

  it("belong to their own record only", () => {
    expect(isMarkedKey(id, markedKey(id))).toBe(true);
    expect(isMarkedKey(id, markedKey("00000000-0000-4000-8000-000000000002"))).toBe(false);
    expect(isMarkedKey(id, "alice")).toBe(false);
  });

  it.each([
    ["a marked record whose name is still held elsewhere keeps its mark", markedKey(id), "alice", true, markedKey(id)],
    ["a marked record renamed to a free name takes it", markedKey(id), "alice2", false, "alice2"],
    ["a marked record whose name can't be indexed keeps its mark", markedKey(id), "x".repeat(MAX_KEY_BYTES + 1), false, markedKey(id)],
    ["an unmarked record takes its name's key", "bob", "bobby", false, "bobby"],
    ["an unmarked record takes it even if held (the caller answers 409)", "bob", "alice", true, "alice"],
  ])("on a write, %s", (_what, current, next, held, expected) => {
    expect(keyOnWrite({ id, key: current }, next, held)).toBe(expected);
  });
});
