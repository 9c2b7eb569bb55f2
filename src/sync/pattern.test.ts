import fc from "fast-check";
import { compilePattern, MAX_PATTERN_INSTRUCTIONS, MAX_PATTERN_LENGTH, patternProblem } from "./pattern";

describe("group sync patterns (RE2)", () => {
  it.each([
    ["^eng-", "eng-platform", true],
    ["^eng-", "platform-eng-", false],
    // Unanchored, as Go's regexp.MatchString.
    ["eng", "platform-eng-team", true],
    ["(?i)^ENG", "eng-team", true],
    ["^(?P<team>[[:alpha:]]+)-", "ops-1", true],
    ["^\\pL+$", "Ελληνικά", true],
    ["^.$", "😀", true],
    ["^(team|dept)-", "dept-x", true],
  ])("%s against %s → %s", (pattern, value, expected) => {
    const c = compilePattern(pattern);
    if (!c.ok) throw new Error(c.problem);
    expect(c.test(value)).toBe(expected);
  });

  it.each([
    ["(?=x)", "is not a valid RE2 pattern: error parsing regexp: invalid or unsupported Perl syntax: `(?=`"],
    ["(?<!x)y", "is not a valid RE2 pattern: error parsing regexp: invalid named capture: `(?<!x)y`"],
    ["(a)\\1", "is not a valid RE2 pattern: error parsing regexp: invalid escape sequence: `\\1`"],
    ["a\\Z", "is not a valid RE2 pattern: error parsing regexp: invalid escape sequence: `\\Z`"],
    ["(", "is not a valid RE2 pattern: error parsing regexp: missing closing ): `(`"],
    ["x{1001}", "is not a valid RE2 pattern: error parsing regexp: invalid repeat count: `{1001}`"],
  ])("refuses %s with the engine's message", (pattern, problem) => {
    expect(patternProblem(pattern)).toBe(problem);
  });

  it("refuses patterns that are too long or compile to too large a program", () => {
    // A class is one instruction however long it is written; a literal is one per character.
    expect(patternProblem(`[${"abcdefghij".repeat(102)}]`.padEnd(MAX_PATTERN_LENGTH, "x"))).toBeUndefined();
    expect(patternProblem("x".repeat(MAX_PATTERN_INSTRUCTIONS - 10))).toBeUndefined();
    expect(patternProblem("x".repeat(MAX_PATTERN_LENGTH + 1))).toBe(`is ${MAX_PATTERN_LENGTH + 1} characters long; at most ${MAX_PATTERN_LENGTH} are allowed`);
    expect(patternProblem("\\w{2,1000}\\w{2,1000}")).toMatch(new RegExp(`^is too complex: it compiles to \\d+ instructions, at most ${MAX_PATTERN_INSTRUCTIONS} are allowed`));
    expect(patternProblem("[a-z]{1,64}")).toBeUndefined();
  });

  it("matches backtracking-hostile patterns in linear time (completion is the proof)", () => {
    const cases: [string, string][] = [
      ["^(a+)+$", `${"a".repeat(100_000)}!`],
      ["^(a|aa)*b$", "a".repeat(100_000)],
      ["^(\\w+\\s?)*$", `${"word ".repeat(20_000)}!`],
      ["(.*a){20}", "a".repeat(50_000)],
    ];
    for (const [pattern, value] of cases) {
      const c = compilePattern(pattern);
      if (!c.ok) throw new Error(c.problem);
      expect(typeof c.test(value)).toBe("boolean");
    }
  }, 60_000);

  it("never throws, whatever the pattern or the value", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), fc.string({ unit: "binary", maxLength: 200 }), (pattern, value) => {
        const c = compilePattern(pattern);
        if (c.ok) expect(typeof c.test(value)).toBe("boolean");
        else expect(c.problem.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it("never throws on patterns built from regex syntax", () => {
    const piece = fc.constantFrom("a", "b", ".", "*", "+", "?", "(", ")", "[", "]", "^", "$", "|", "{2}", "{1,3}", "\\", "\\d", "\\w", "(?i)", "(?:", "(?=", "\\1", "\\pL", "[[:alpha:]]");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), fc.string({ maxLength: 100 }), (pieces, value) => {
        const c = compilePattern(pieces.join(""));
        if (c.ok) expect(typeof c.test(value)).toBe("boolean");
      }),
      { numRuns: 2000 },
    );
  });
});
