import { likeLiteral } from "./like";

describe("LIKE literals", () => {
  it.each([
    ["carol", "carol"],
    ["%", "\\%"],
    ["_", "\\_"],
    ["\\", "\\\\"],
    ["c_rol", "c\\_rol"],
    ["100%", "100\\%"],
    ["a\\%b_", "a\\\\\\%b\\_"],
    ["", ""],
    ["ünï*?[]", "ünï*?[]"],
  ])("escapes %j as %j", (value, escaped) => {
    expect(likeLiteral(value)).toBe(escaped);
  });
});
