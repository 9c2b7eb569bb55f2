import { boundListParams, readListParams } from "./list-query";

describe("list parameters", () => {
  it.each([
    [{}, { startIndex: 1, count: 100, sortOrder: "ascending" }],
    [{ startIndex: "0", count: "-5" }, { startIndex: 1, count: 0 }],
    [{ startIndex: "-3" }, { startIndex: 1 }],
    [{ startindex: "11", COUNT: "2" }, { startIndex: 11, count: 2 }],
    [{ count: "100000" }, { count: 100 }],
    [{ count: ["1", "7"] }, { count: 7 }],
    [{ sortOrder: "Descending", sortBy: "userName" }, { sortOrder: "descending", sortBy: "userName" }],
    [{ filter: 'userName eq "a"' }, { filter: 'userName eq "a"' }],
    [{ filter: "" }, { filter: undefined }],
    [{ attributes: ["userName", "emails"] }, { attributes: "userName,emails" }],
    [{ startIndex: 3, count: 4 }, { startIndex: 3, count: 4 }],
  ])("reads %j as %j", (input, expected) => {
    expect(boundListParams(readListParams(input), 100)).toMatchObject(expected);
  });

  it.each([
    [{ count: "ten" }, "count must be an integer"],
    [{ startIndex: "1.5" }, "startIndex must be an integer"],
    [{ count: 2.5 }, "count must be an integer"],
    [{ sortOrder: "up" }, 'sortOrder must be "ascending" or "descending"'],
    [{ filter: 3 }, "filter must be a string"],
    [{ attributes: "userName", excludedAttributes: "emails" }, "attributes and excludedAttributes cannot be used together"],
  ])("refuses %j with 400 invalidValue", (input, detail) => {
    expect(() => boundListParams(readListParams(input), 100)).toThrow(
      expect.objectContaining({ status: 400, scimType: "invalidValue", detail }),
    );
  });
});
