import { CsvError, parseCsv } from "./csv";

const rows = (text: string) => parseCsv(text).map((r) => [r.line, ...r.fields]);

describe("parseCsv", () => {
  it.each([
    ["plain rows", "a,b\n1,2\n", [[1, "a", "b"], [2, "1", "2"]]],
    ["CRLF and no final newline", "a,b\r\n1,2", [[1, "a", "b"], [2, "1", "2"]]],
    ["a byte-order mark is ignored", "\uFEFFa\n1", [[1, "a"], [2, "1"]]],
    ["quoted commas, quotes and line breaks", 'a,b\n"x, y","say ""hi""\nthere"\n3,4', [[1, "a", "b"], [2, "x, y", 'say "hi"\nthere'], [4, "3", "4"]]],
    ["empty fields stay", "a,,c\n,,\n", [[1, "a", "", "c"], [2, "", "", ""]]],
    ["empty lines are skipped", "a\n\n\nb\n", [[1, "a"], [4, "b"]]],
  ] as const)("%s", (_n, text, expected) => {
    expect(rows(text)).toEqual(expected);
  });

  it.each([
    ['a,"b\n', /line 1: a quoted field is not closed/],
    ['a,b"c"\n', /line 1: a quote inside an unquoted field/],
  ])("refuses %j", (text, message) => {
    expect(() => parseCsv(text)).toThrow(CsvError);
    expect(() => parseCsv(text)).toThrow(message);
  });
});
