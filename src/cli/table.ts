/** A plain-text table: columns padded to their widest cell, two spaces apart, no trailing blanks. */
export function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd());
}

const escapeControls = (text: string): string =>
  text.replace(/(?!\n)[\p{C}\p{Zl}\p{Zp}]/gu, (c) => Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`).join(""));

/**
 * JSON text for a terminal: every control, format, unassigned and private-use character (Unicode
 * category C) and line or paragraph separator escaped as \uXXXX (JSON allows it anywhere in a
 * string), so no escape sequence in a name reaches the terminal; it parses to the same value.
 */
export function terminalJson(value: unknown): string {
  // Newlines outside strings are the indentation's; JSON.stringify has already escaped those inside.
  return escapeControls(JSON.stringify(value, null, 2));
}

/** terminalJson on one line (a JSON-lines stream such as `events tail`). */
export function terminalJsonLine(value: unknown): string {
  return escapeControls(JSON.stringify(value));
}
