import fc from "fast-check";
import { isMarkedKey, keyOnWrite, MARK, MAX_KEY_BYTES, markedKey, nameKey, nameProblem } from "./name-key";

/** Any text: UTF-16 units, graphemes, and the whole code point range. */
const names = fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }));

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
    // Every other Default_Ignorable_Code_Point is invisible too, and left out the same way:
    ["ali\u034Fce", "alice"], // COMBINING GRAPHEME JOINER (Mn)
    ["alice\uFE0F", "alice"], // VARIATION SELECTOR-16
    ["alice\u{E0100}", "alice"], // VARIATION SELECTOR-17
    ["\u3164alice", "alice"], // HANGUL FILLER (Lo; NFKC makes it U+1160, also a filler)
    ["alice\u115F", "alice"], // HANGUL CHOSEONG FILLER
    ["al\uFFA0ice", "alice"], // HALFWIDTH HANGUL FILLER
    ["ali\u180Bce", "alice"], // MONGOLIAN FREE VARIATION SELECTOR ONE
    ["\u3164 alice \u3164", "alice"], // fillers outside the whitespace still trim
    ["e\u034F\u0301", "\u00E9"], // the joiner kept the accent apart; without it the two compose
    ["\u2764\uFE0F", "\u2764"], // an emoji's presentation selector
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

  it("keeps default-ignorables out of the key but everything else in (a refused name still gets a key)", () => {
    expect(nameKey("al\u200Bice")).toBe("alice"); // ZERO WIDTH SPACE: refused in new names (Cf)
    expect(nameKey("\u0001x")).toBe("\u0001x");
    expect(nameKey("ali\tce")).toBe("ali\tce");
  });

  const variants = fc.constantFrom<(s: string) => string>(
    (s) => s.toUpperCase(),
    (s) => s.toLowerCase(),
    (s) => s.normalize("NFD"),
    (s) => s.normalize("NFC"),
    (s) => ` ${s}\u3000`,
    (s) => `\u200D${s}\u200C`,
    (s) => [...s].join("\u200D"),
    (s) => [...s].join("\u034F"),
    (s) => `\u3164${s}\uFE0F`,
    // Fullwidth forms of ASCII letters and digits (U+FF01–U+FF5E), which NFKC maps back.
    (s) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)),
  );

  it("is idempotent", () => {
    fc.assert(fc.property(names, (s) => nameKey(nameKey(s)) === nameKey(s)), { numRuns: 5000 });
  });

  it("gives every spelling variant of a name the key of the name", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.array(variants, { maxLength: 4 }), (s, fs) => nameKey(fs.reduce((x, f) => f(x), s)) === nameKey(s)),
      { numRuns: 5000 },
    );
  });

  it("never starts or ends a key with whitespace, and never keeps a default-ignorable", () => {
    const ignorables = fc.string({ unit: fc.constantFrom("\u034F", "\u200B", "\u200D", "\u3164", "\uFE0F", "\u{E0100}", "\u180B", "\uFFA0", " ", "a") });
    fc.assert(
      fc.property(fc.oneof(names, ignorables), (s) => {
        const k = nameKey(s);
        return !/^\p{White_Space}|\p{White_Space}$/u.test(k) && !/\p{Default_Ignorable_Code_Point}/u.test(k);
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
    ["\u3164", "userName must not be blank"], // HANGUL FILLER
    ["\u115F\uFFA0 \u034F", "userName must not be blank"],
    ["\uFE0F\u{E0100}", "userName must not be blank"],
    ["\u2764\uFE0F", undefined], // an emoji with its presentation selector
    ["\u845B\u{E0100}", undefined], // an ideographic variation sequence (a family name's glyph)
    ["\u1820\u180B", undefined], // Mongolian with a free variation selector
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
  it("are never the key of any name, accepted or refused, nor an earlier version's key (the lower-cased name)", () => {
    expect(markedKey(id)).toBe(`\u2126${id}`);
    expect(nameKey(markedKey(id))).toBe(`\u03C9${id}`);
    expect(markedKey(id).toLowerCase()).toBe(`\u03C9${id}`);
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      if (nameKey(c).includes(MARK) || c.toLowerCase().includes(MARK)) throw new Error(`U+${cp.toString(16)} keys to a mark`);
    }
    const withMark = fc.tuple(names, names).map(([a, b]) => `${a}${MARK}${b}`);
    fc.assert(fc.property(fc.oneof(names, withMark), (s) => !nameKey(s).includes(MARK) && !s.toLowerCase().includes(MARK)), { numRuns: 5000 });
  });

  it("are not a control character: names stored before the rules could hold those", () => {
    expect(isMarkedKey(id, `\u0001${id}`)).toBe(false);
    expect(nameProblem(`\u0001${id}`, "userName")).toMatch(/U\+0001/);
  });

  it("belong to their own record only", () => {
    expect(isMarkedKey(id, markedKey(id))).toBe(true);
    expect(isMarkedKey(id, markedKey("00000000-0000-4000-8000-000000000002"))).toBe(false);
    expect(isMarkedKey(id, "alice")).toBe(false);
  });

  const long = "x".repeat(MAX_KEY_BYTES + 1);
  it.each([
    ["a marked record keeping its name (in any spelling) while another holds it keeps its mark", markedKey(id), "Alice ", "alice", true, markedKey(id)],
    ["a marked record renamed to another name held by another takes that key (the caller answers 409)", markedKey(id), "Alice ", "bob", true, "bob"],
    ["a marked record renamed to a free name takes it", markedKey(id), "Alice ", "alice2", false, "alice2"],
    ["a marked record whose name is free again takes it", markedKey(id), "Alice ", "alice", false, "alice"],
    ["a marked record whose name can't be indexed keeps its mark", markedKey(id), long, long, false, markedKey(id)],
    ["an unmarked record takes its name's key", "bob", "bob", "bobby", false, "bobby"],
    ["an unmarked record takes it even if held (the caller answers 409)", "bob", "bob", "alice", true, "alice"],
  ])("on a write, %s", (_what, current, name, next, held, expected) => {
    expect(keyOnWrite({ id, key: current, name }, next, held)).toBe(expected);
  });
});
