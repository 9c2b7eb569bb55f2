import { RE2JS } from "re2js";

/**
 * Group sync's `regex_filter`, matched as Coder matches it: Go's RE2 syntax and semantics, unanchored
 * (`regexp.MatchString`). The engine is re2js, a pure JavaScript port of RE2: matching takes time
 * linear in the value's length whatever the pattern (JavaScript's backtracking RegExp took seconds,
 * doubling with each character, for `^(a+)+$` against a title of 30 `a`s and a `!`, blocking the
 * event loop). What is saved is what is run: settings are validated by compiling with this engine,
 * and the refusal is the engine's own message.
 *
 * Linear in the value is not the whole bound: the work is (value length) × (program size), and RE2
 * lets a short pattern compile to a huge program (`[^a]{1000}` repeated). A pattern is therefore
 * capped in length and in compiled instructions. Everyday filters such as `^(team|dept)-` compile to
 * ~15 instructions and run at under 1 ns per character per instruction (re2js's one-pass and DFA-like
 * paths); a pattern built to defeat them (`a[ab]{600}[^ab]` against random a/b text) falls back to
 * the NFA at about 200–250 ns per character per instruction (measured with re2js 2.10.0, Node 20, on
 * a 2-core machine). So the filter is only run on values that can become a group (expectedGroups:
 * at most GROUP_NAME_MAX_LENGTH characters, or a mapping key), and the cap is 1,000 instructions:
 * the worst value then costs about 64 ms, where 40 alternatives of 20 characters still fit.
 */

export const MAX_PATTERN_LENGTH = 1024;
export const MAX_PATTERN_INSTRUCTIONS = 1000;

export type CompiledPattern =
  | { ok: true; source: string; test(value: string): boolean }
  | { ok: false; source: string; problem: string };

/** re2js's compiled program size; its type declarations leave `prog` untyped (re2js 2.10.0, pinned). */
function instructionCount(re: RE2JS): number {
  const prog: unknown = re.re2().prog;
  const numInst = prog && typeof prog === "object" && "numInst" in prog ? prog.numInst : undefined;
  return typeof numInst === "function" ? Number(numInst.call(prog)) : 0;
}

/** Compiles a saved or candidate pattern. Never throws: a refusal carries the reason. */
export function compilePattern(source: string): CompiledPattern {
  if (source.length > MAX_PATTERN_LENGTH) {
    return { ok: false, source, problem: `is ${source.length} characters long; at most ${MAX_PATTERN_LENGTH} are allowed` };
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (err) {
    // RE2's own wording, e.g. "error parsing regexp: invalid or unsupported Perl syntax: `(?=`".
    return { ok: false, source, problem: `is not a valid RE2 pattern: ${err instanceof Error ? err.message : String(err)}` };
  }
  const size = instructionCount(re);
  if (size > MAX_PATTERN_INSTRUCTIONS) {
    return { ok: false, source, problem: `is too complex: it compiles to ${size} instructions, at most ${MAX_PATTERN_INSTRUCTIONS} are allowed (large counted repetitions such as {1000} multiply the size)` };
  }
  return { ok: true, source, test: (value) => re.test(value) };
}

/** The reason a pattern is refused on save, or undefined when the engine accepts it. */
export function patternProblem(source: string): string | undefined {
  const compiled = compilePattern(source);
  return compiled.ok ? undefined : compiled.problem;
}
