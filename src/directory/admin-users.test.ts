import { parseUserSearch, userSearchProblem, USER_SEARCH_LIMITS } from "./admin-users";

describe("admin user search", () => {
  it("matches free words literally: LIKE's wildcards are escaped", () => {
    expect(parseUserSearch("c_rol 100%")).toEqual({
      AND: [
        { OR: [{ username: { contains: "c\\_rol", mode: "insensitive" } }, { email: { contains: "c\\_rol" } }, { displayName: { contains: "c\\_rol", mode: "insensitive" } }] },
        { OR: [{ username: { contains: "100\\%", mode: "insensitive" } }, { email: { contains: "100\\%" } }, { displayName: { contains: "100\\%", mode: "insensitive" } }] },
      ],
    });
  });

  it("keeps key:value terms exact", () => {
    expect(parseUserSearch("status:active email:A_B@x.example")).toEqual({ AND: [{ status: "active" }, { email: "a_b@x.example" }] });
  });

  it("states its limits", () => {
    expect(USER_SEARCH_LIMITS).toEqual({ terms: 16, characters: 1024 });
  });

  it.each([
    ["no q", undefined, undefined],
    ["an empty q", "", undefined],
    ["two words among spaces", "  a  b  ", undefined],
    ["16 words", Array.from({ length: 16 }, () => "a").join(" "), undefined],
    ["1,024 characters", "x".repeat(1024), undefined],
    ["17 words", Array.from({ length: 17 }, () => "a").join(" "), "q may have at most 16 terms and 1,024 characters (this one has 17 terms, 33 characters)"],
    ["1,025 characters", "x".repeat(1025), "q may have at most 16 terms and 1,024 characters (this one has 1 term, 1,025 characters)"],
    ["7,000 words", Array.from({ length: 7000 }, () => "a").join(" "), "q may have at most 16 terms and 1,024 characters (this one has 7,000 terms, 13,999 characters)"],
  ])("judges %s", (_label, q, problem) => {
    expect(userSearchProblem(q)).toBe(problem);
  });
});
