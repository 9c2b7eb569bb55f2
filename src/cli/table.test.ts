import { terminalJson, terminalJsonLine } from "./table";

describe("JSON for a terminal", () => {
  const value = { name: "a\u001b[31mred\u009b\u202Eevil\u2028x", n: 1 };

  it("escapes controls, format characters and line separators, on one line for JSON lines", () => {
    const line = terminalJsonLine(value);
    expect(line).toBe('{"name":"a\\u001b[31mred\\u009b\\u202eevil\\u2028x","n":1}');
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e\u2028]/);
    expect(JSON.parse(line)).toEqual(value);
  });

  it("keeps the indentation's newlines in the pretty form", () => {
    const text = terminalJson(value);
    expect(text.split("\n")).toHaveLength(4);
    expect(JSON.parse(text)).toEqual(value);
  });
});
