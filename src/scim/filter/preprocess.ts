/**
 * Rewrites filter text that real clients send, before the grammar sees it:
 * - unquoted string values (`userName eq john@contoso.com`, `externalId eq 123abc`: Entra's older docs)
 *   are quoted; `true`, `false`, `null` and JSON numbers stay as they are;
 * - `attr[inner].sub op value` (RFC 7644 §3.4.2.2 allows it; Entra matches `emails[type eq "work"].value
 *   eq "x"`) becomes `attr[(inner) and sub op value]`, so both conditions apply to the same element
 *   (scim2-parse-filter would otherwise read it as two unrelated conditions).
 */

type Token = { t: "str"; v: string } | { t: "word"; v: string } | { t: "punct"; v: "(" | ")" | "[" | "]" };

const OPS = new Set(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]);
const LITERAL = /^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)$/i;

export class FilterSyntaxError extends Error {}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let raw = '"';
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === "\\") raw += text[j++]!;
        raw += text[j] ?? "";
      }
      if (j >= text.length) throw new FilterSyntaxError("unterminated string");
      try {
        tokens.push({ t: "str", v: JSON.parse(`${raw}"`) as string });
      } catch {
        throw new FilterSyntaxError(`invalid string ${raw}"`);
      }
      i = j + 1;
    } else if (c === "(" || c === ")" || c === "[" || c === "]") {
      tokens.push({ t: "punct", v: c });
      i++;
    } else {
      let j = i;
      while (j < text.length && !/[\s()[\]"]/.test(text[j]!)) j++;
      tokens.push({ t: "word", v: text.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

function render(tokens: Token[]): string {
  let out = "";
  for (const tok of tokens) {
    const s = tok.t === "str" ? JSON.stringify(tok.v) : tok.v;
    const glue = out === "" || out.endsWith("(") || out.endsWith("[") || s === ")" || s === "]" || s === "[" ? "" : " ";
    out += glue + s;
  }
  return out;
}

/** Quotes bare values after a comparison operator. */
function quoteBareValues(tokens: Token[]): Token[] {
  return tokens.map((tok, i) => {
    const prev = tokens[i - 1];
    if (tok.t === "word" && prev?.t === "word" && OPS.has(prev.v.toLowerCase()) && !LITERAL.test(tok.v)) {
      return { t: "str", v: tok.v };
    }
    return tok;
  });
}

/** Moves `].sub op value` (or `].sub pr`) inside the brackets. */
function foldSubAttributeAfterBracket(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    const next = tokens[i + 1];
    if (tok.t === "punct" && tok.v === "]" && next?.t === "word" && next.v.startsWith(".")) {
      const sub = next.v.slice(1);
      const op = tokens[i + 2];
      if (op?.t !== "word") throw new FilterSyntaxError(`expected an operator after ].${sub}`);
      const isPresent = op.v.toLowerCase() === "pr";
      const value = isPresent ? undefined : tokens[i + 3];
      if (!isPresent && (!value || value.t === "punct")) throw new FilterSyntaxError(`expected a value after ].${sub} ${op.v}`);
      // Wrap the bracket's inner filter in parentheses: find the matching "[".
      let depth = 0;
      let open = out.length - 1;
      for (; open >= 0; open--) {
        const o = out[open]!;
        if (o.t === "punct" && o.v === "]") depth++;
        if (o.t === "punct" && o.v === "[") {
          if (depth === 0) break;
          depth--;
        }
      }
      if (open < 0) throw new FilterSyntaxError("unbalanced ]");
      out.splice(open + 1, 0, { t: "punct", v: "(" });
      out.push({ t: "punct", v: ")" }, { t: "word", v: "and" }, { t: "word", v: sub }, op);
      if (value) out.push(value);
      out.push(tok);
      i += isPresent ? 2 : 3;
      continue;
    }
    out.push(tok);
  }
  return out;
}

export function preprocessFilter(text: string): string {
  return render(foldSubAttributeAfterBracket(quoteBareValues(tokenize(text))));
}
