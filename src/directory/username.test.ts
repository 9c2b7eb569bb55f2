import { baseUsername, firstFreeUsername, sanitizeUsername, withSuffix } from "./username";

describe("username handles", () => {
  it.each([
    ["alice@example.com", "alice"],
    ["Alice.Smith@example.com", "alice-smith"],
    ["bob_o'neil", "bob-o-neil"],
    ["--x--", "x"],
    ["José Müller", "jose-muller"],
    ["a".repeat(40), "a".repeat(32)],
    [`${"a".repeat(31)}.b`, "a".repeat(31)],
    ["@example.com", ""],
    ["日本", ""],
  ])("derives %j as %j", (source, expected) => {
    expect(sanitizeUsername(source)).toBe(expected);
  });

  it("falls back to the next candidate, then to user", () => {
    expect(baseUsername(["日本@x.com", "taro@example.com"])).toBe("taro");
    expect(baseUsername([undefined, "@@"])).toBe("user");
  });

  it("suffixes collisions and stays within 32 characters", () => {
    expect(withSuffix("alice", 1)).toBe("alice");
    expect(withSuffix("alice", 2)).toBe("alice-2");
    expect(withSuffix("a".repeat(32), 12)).toBe(`${"a".repeat(29)}-12`);
    expect(withSuffix(`${"a".repeat(29)}-bc`, 2)).toBe(`${"a".repeat(29)}-2`);
    expect(firstFreeUsername("alice", new Set(["alice", "alice-2", "alice-4"]))).toBe("alice-3");
    expect(firstFreeUsername("bob", new Set())).toBe("bob");
  });
});
