import type { CollidingUser, NameCollisionList } from "../directory/name-collisions";
import { collisionRows, collisionsJson } from "./collisions";

const user = (id: string, userName: string): CollidingUser => ({ id, user_name: userName, username: `u${id}`, status: "active", created_at: "2024-01-01T00:00:00.000Z" });

describe("scim-bridge collisions (table)", () => {
  it("prints names as JSON strings with every control, format and line separator escaped", () => {
    const list: NameCollisionList = {
      users: [
        // DEL, a C1 CSI (an escape sequence's start on many terminals), a bidi override, a NEL.
        { user: user("1", "eve\u009B31m\u007F\u202Eevil\u0085"), key_holder: user("2", "eve\u001B[2J") },
        { user: user("3", "\uFF41lice "), key_holder: null },
      ],
      groups: [{ group: { id: "4", display_name: "g\u2028\u0080\u{E0001}", created_at: "2024-01-01T00:00:00.000Z" }, key_holder: null }],
    };
    const rows = collisionRows(list);
    expect(rows.slice(1).map((r) => [r[2], r[5]])).toEqual([
      ['"eve\\u009b31m\\u007f\\u202eevil\\u0085"', '"eve\\u001b[2J"'],
      ['"\uFF41lice "', "-"],
      ['"g\\u2028\\u0080\\udb40\\udc01"', "-"],
    ]);
    for (const cell of rows.flat()) expect(cell).not.toMatch(/[\p{C}\p{Zl}\p{Zp}]/u);
  });

  it("escapes the same characters in --json output, which still parses to the names", () => {
    const list: NameCollisionList = { users: [{ user: user("1", "eve\u009B31m\u007F\u202Eevil\u0085\u{E0001}"), key_holder: null }], groups: [] };
    const text = collisionsJson(list);
    expect(text).not.toMatch(/(?!\n)[\p{C}\p{Zl}\p{Zp}]/u);
    expect(JSON.parse(text)).toEqual(list);
  });
});
