import request from "supertest";
import { Prisma } from "../../src/generated/prisma/client";
import { markedKey } from "../../src/directory/name-key";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

/**
 * One identity per userName (and per IdP group displayName): names a person reads as the same are
 * the same key (NFKC, trimmed, case folded, default-ignorable characters such as ZWJ/ZWNJ, variation
 * selectors and Hangul fillers left out), blank names and names with control or format characters are
 * refused, and filters match on the same key.
 */

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

const NFC = "Al\u00EDce"; // Alíce, precomposed
const NFD = "Ali\u0301ce"; // Alíce, i + combining acute

describe.each(testEngines())("one identity per name on %s", (engine) => {
  let b: TestBridge;
  const scim = () => ({
    get: (p: string) => request(b.app).get(`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`),
    post: (p: string, body: unknown) => request(b.app).post(`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`).send(body as object),
    put: (p: string, body: unknown) => request(b.app).put(`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`).send(body as object),
    patch: (p: string, body: unknown) => request(b.app).patch(`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`).send(body as object),
    del: (p: string) => request(b.app).delete(`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`),
  });
  const postUser = (userName: string, extra: Record<string, unknown> = {}) => scim().post("/Users", { schemas: [USER], userName, ...extra });
  const postGroup = (displayName: string) => scim().post("/Groups", { schemas: [GROUP], displayName });
  const userCount = () => b.db.prisma.user.count();
  const groupCount = () => b.db.prisma.idpGroup.count();
  const filterUsers = async (f: string) => (await scim().get(`/Users?filter=${encodeURIComponent(f)}`)).body as { totalResults: number; Resources: { id: string }[] };
  const filterGroups = async (f: string) => (await scim().get(`/Groups?filter=${encodeURIComponent(f)}&excludedAttributes=members`)).body as { totalResults: number; Resources: { id: string }[] };

  beforeAll(async () => {
    b = await startTestBridge(engine);
  });
  afterAll(async () => {
    await b.close();
  });

  describe("userName", () => {
    let alice: string;
    beforeAll(async () => {
      const res = await postUser("alice");
      expect(res.status).toBe(201);
      alice = res.body.id as string;
    });

    it.each([
      ["trailing space", "alice "],
      ["leading space", " alice"],
      ["fullwidth letters", "\uFF41\uFF4C\uFF49\uFF43\uFF45"],
      ["a zero-width joiner inside", "ali\u200Dce"],
      ["a zero-width non-joiner inside", "al\u200Cice"],
      ["an ideographic space and upper case", "\u3000ALICE"],
      ["a no-break space at the end", "alice\u00A0"],
      ["a combining grapheme joiner inside", "ali\u034Fce"],
      ["a variation selector at the end", "alice\uFE0F"],
      ["a supplementary variation selector", "ali\u{E0100}ce"],
      ["a Hangul filler in front", "\u3164alice"],
      ["a Hangul choseong filler at the end", "alice\u115F"],
      ["a halfwidth Hangul filler inside", "al\uFFA0ice"],
      ["a Mongolian free variation selector inside", "ali\u180Bce"],
    ])("refuses %s as a second alice with 409 uniqueness", async (_what, name) => {
      const before = await userCount();
      const res = await postUser(name);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ status: "409", scimType: "uniqueness" });
      expect(await userCount()).toBe(before);
    });

    it("refuses the NFD spelling of an NFC name with 409, and the other way round", async () => {
      expect((await postUser(NFC)).status).toBe(201);
      expect((await postUser(NFD)).status).toBe(409);
      expect((await postUser(NFD.toUpperCase())).status).toBe(409);
    });

    it("treats sharp s as ss and a final sigma as sigma", async () => {
      expect((await postUser("stra\u00DFe")).status).toBe(201);
      expect((await postUser("STRASSE")).status).toBe(409);
      expect((await postUser("stra\u1E9Ee")).status).toBe(409);
      expect((await postUser("\u039F\u0394\u039F\u03A3")).status).toBe(201);
      expect((await postUser("\u03BF\u03B4\u03BF\u03C2")).status).toBe(409);
    });

    it.each([
      ["blank", "   ", /blank/],
      ["only an ideographic space", "\u3000", /blank/],
      ["only a zero-width joiner", "\u200D", /blank/],
      ["only Hangul fillers", "\u3164\uFFA0", /blank/],
      ["only variation selectors", "\uFE0F\u{E0100}", /blank/],
      ["a zero-width space", "al\u200Bice", /U\+200B/],
      ["a tab", "ali\tce", /U\+0009/],
      ["a trailing newline", "alice\n", /U\+000A/],
      ["a right-to-left override", "\u202Eecila", /U\+202E/],
      ["a byte order mark", "\uFEFFbob", /U\+FEFF/],
    ])("refuses a userName with %s with 400 invalidValue, writing nothing", async (_what, name, detail) => {
      const before = await userCount();
      const res = await postUser(name);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: "400", scimType: "invalidValue" });
      expect(res.body.detail).toMatch(detail);
      expect(await userCount()).toBe(before);
    });

    it("names the code point and its position in the message", async () => {
      const res = await postUser("al\u200Bice");
      expect(res.body.detail).toBe("userName contains U+200B (a format character) at position 3");
    });

    it("refuses a userName whose key would not fit the unique index with 400, not 500", async () => {
      // U+FDFA is one character (3 bytes) that NFKC expands to 18 (33 bytes): 63 of them pass every
      // cap on what is sent (189 bytes) and key to 2,079 bytes.
      const res = await postUser("\uFDFA".repeat(63));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ scimType: "invalidValue" });
      expect(res.body.detail).toMatch(/userName is too long/);
    });

    it("keeps ZWJ and ZWNJ in the name as sent (Persian, Indic), out of the key", async () => {
      const persian = "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645"; // می‌خواهم
      const res = await postUser(persian);
      expect(res.status).toBe(201);
      expect((await scim().get(`/Users/${res.body.id}`)).body.userName).toBe(persian);
      expect((await postUser(persian.replace("\u200C", ""))).status).toBe(409);
      const hindi = "\u0915\u094D\u200D\u0937"; // क्‍ष with a ZWJ
      expect((await postUser(hindi)).status).toBe(201);
    });

    it("stores the userName exactly as the IdP sent it", async () => {
      const res = await postUser("  Zo\u00EB  ");
      expect(res.status).toBe(201);
      expect(res.body.userName).toBe("  Zo\u00EB  ");
      expect((await b.db.prisma.user.findUniqueOrThrow({ where: { id: res.body.id } })).userName).toBe("  Zo\u00EB  ");
    });

    it("finds a user by a filter on any spelling of its userName", async () => {
      for (const f of ['userName eq "ALICE "', 'userName eq " alice"', 'userName eq "\uFF41\uFF4C\uFF49\uFF43\uFF45"', 'userName eq "ali\u200Dce"']) {
        const found = await filterUsers(f);
        expect({ f, ids: found.Resources.map((r) => r.id) }).toEqual({ f, ids: [alice] });
      }
      expect((await filterUsers(`userName eq "${NFD}"`)).totalResults).toBe(1);
      expect((await filterUsers('userName ne "ALICE " and userName sw "ali"')).Resources.map((r) => r.id)).not.toContain(alice);
    });

    it("refuses a rename to another user's name in another spelling on PUT and PATCH", async () => {
      const other = await postUser("carol");
      expect(other.status).toBe(201);
      const put = await scim().put(`/Users/${other.body.id}`, { schemas: [USER], userName: " Alice" });
      expect(put).toMatchObject({ status: 409 });
      const patch = await scim().patch(`/Users/${other.body.id}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "userName", value: "ALICE\u3000" }] });
      expect(patch.status).toBe(409);
    });

    it("refuses a marked user's rename to another user's name with 409, in any spelling", async () => {
      const bob = await postUser("bob@x.example");
      const carol = await postUser("carol@x.example");
      expect([bob.status, carol.status]).toEqual([201, 201]);
      await b.db.prisma.user.update({ where: { id: carol.body.id }, data: { userNameKey: markedKey(carol.body.id) } });
      const patch = await scim().patch(`/Users/${carol.body.id}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "userName", value: "BOB@x.example" }] });
      expect(patch.status).toBe(409);
      expect(patch.body).toMatchObject({ scimType: "uniqueness" });
      expect((await scim().put(`/Users/${carol.body.id}`, { schemas: [USER], userName: " bob@x.example" })).status).toBe(409);
      expect((await filterUsers('userName eq "bob@x.example"')).Resources.map((r) => r.id)).toEqual([bob.body.id]);
      expect(await b.db.prisma.user.findUniqueOrThrow({ where: { id: carol.body.id } })).toMatchObject({ userName: "carol@x.example", userNameKey: markedKey(carol.body.id) });
    });

    it("refuses a bad userName on PUT and PATCH with 400, changing nothing", async () => {
      const u = await postUser("dave");
      const put = await scim().put(`/Users/${u.body.id}`, { schemas: [USER], userName: "da\u200Bve" });
      expect(put.status).toBe(400);
      expect(put.body).toMatchObject({ scimType: "invalidValue" });
      const patch = await scim().patch(`/Users/${u.body.id}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "userName", value: "  " }] });
      expect(patch.status).toBe(400);
      expect(patch.body).toMatchObject({ scimType: "invalidValue" });
      const row = await b.db.prisma.user.findUniqueOrThrow({ where: { id: u.body.id } });
      expect(row).toMatchObject({ userName: "dave", version: 1 });
    });

    it("lets a user keep its name in a new spelling", async () => {
      const u = await postUser("erin");
      const put = await scim().put(`/Users/${u.body.id}`, { schemas: [USER], userName: "ERIN " });
      expect(put.status).toBe(200);
      expect(put.body.userName).toBe("ERIN ");
    });

    it("brings a deleted user back when a later POST sends its userName in another spelling", async () => {
      const u = await postUser("frank");
      expect((await scim().del(`/Users/${u.body.id}`)).status).toBe(204);
      const again = await postUser(" \uFF26\uFF32\uFF21\uFF2E\uFF2B", { active: true });
      expect(again.status).toBe(201);
      expect(again.body.id).toBe(u.body.id);
      expect(again.body.userName).toBe(" \uFF26\uFF32\uFF21\uFF2E\uFF2B");
    });

    it("still accepts writes to a user stored earlier with a name that is now refused, while its name is unchanged", async () => {
      const legacy = await b.db.prisma.user.create({
        data: { userName: "leg\u200Bacy", userNameKey: "leg\u200Bacy", username: "legacy", status: "active", resource: { userName: "leg\u200Bacy" } },
      });
      const patch = await scim().patch(`/Users/${legacy.id}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "active", value: false }] });
      expect(patch.status).toBe(200);
      expect(patch.body.active).toBe(false);
      const put = await scim().put(`/Users/${legacy.id}`, { schemas: [USER], userName: "leg\u200Bacy", title: "kept" });
      expect(put.status).toBe(200);
      const rename = await scim().put(`/Users/${legacy.id}`, { schemas: [USER], userName: "leg\u200Bacy2" });
      expect(rename.status).toBe(400);
    });
  });

  describe("Group displayName", () => {
    let eng: string;
    beforeAll(async () => {
      const res = await postGroup("Engineering");
      expect(res.status).toBe(201);
      eng = res.body.id as string;
    });

    it.each([
      ["trailing space", "Engineering "],
      ["leading space", " engineering"],
      ["fullwidth letters", "\uFF25\uFF4E\uFF47\uFF49\uFF4E\uFF45\uFF45\uFF52\uFF49\uFF4E\uFF47"],
      ["a zero-width joiner inside", "Engi\u200Dneering"],
    ])("refuses %s as a second group with 409 uniqueness", async (_what, name) => {
      const before = await groupCount();
      const res = await postGroup(name);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ scimType: "uniqueness" });
      expect(await groupCount()).toBe(before);
    });

    it("refuses the NFD spelling of an NFC group name with 409", async () => {
      expect((await postGroup("R\u00E9seau")).status).toBe(201);
      expect((await postGroup("Re\u0301seau")).status).toBe(409);
    });

    it.each([
      ["blank", "   ", /blank/],
      ["a zero-width space", "En\u200Bg", /U\+200B/],
      ["a tab", "En\tg", /U\+0009/],
      ["a newline", "Eng\n", /U\+000A/],
    ])("refuses a displayName with %s with 400 invalidValue, writing nothing", async (_what, name, detail) => {
      const before = await groupCount();
      const res = await postGroup(name);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: "400", scimType: "invalidValue" });
      expect(res.body.detail).toMatch(detail);
      expect(await groupCount()).toBe(before);
    });

    it("refuses a bad or taken displayName on PUT and PATCH", async () => {
      const g = await postGroup("Sales");
      expect(g.status).toBe(201);
      expect((await scim().put(`/Groups/${g.body.id}`, { schemas: [GROUP], displayName: "Sa\u200Bles" })).status).toBe(400);
      expect((await scim().patch(`/Groups/${g.body.id}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "displayName", value: "\t" }] })).status).toBe(400);
      expect((await scim().patch(`/Groups/${g.body.id}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "displayName", value: " ENGINEERING" }] })).status).toBe(409);
      expect((await b.db.prisma.idpGroup.findUniqueOrThrow({ where: { id: g.body.id } })).displayName).toBe("Sales");
    });

    it("refuses a marked group's rename to another group's name with 409", async () => {
      const g = await postGroup("Marketing");
      expect(g.status).toBe(201);
      await b.db.prisma.idpGroup.update({ where: { id: g.body.id }, data: { displayNameKey: markedKey(g.body.id) } });
      expect((await scim().put(`/Groups/${g.body.id}`, { schemas: [GROUP], displayName: "engineering" })).status).toBe(409);
      const patch = await scim().patch(`/Groups/${g.body.id}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "displayName", value: " ENGINEERING" }] });
      expect(patch.status).toBe(409);
      expect(patch.body).toMatchObject({ scimType: "uniqueness" });
      expect((await filterGroups('displayName eq "engineering"')).Resources.map((r) => r.id)).toEqual([eng]);
    });

    it("finds a group by a filter on any spelling of its displayName", async () => {
      for (const f of ['displayName eq " ENGINEERING"', 'displayName eq "\uFF45ngineering"']) {
        expect({ f, ids: (await filterGroups(f)).Resources.map((r) => r.id) }).toEqual({ f, ids: [eng] });
      }
    });
  });

  describe("imports", () => {
    const api = (p: string, body: object) => request(b.app).post(`/api/v2${p}`).set("Authorization", `Bearer ${b.adminToken}`).send(body);
    const items = async (id: string) =>
      ((await request(b.app).get(`/api/v2/reconciliations/${id}?limit=1000`).set("Authorization", `Bearer ${b.adminToken}`)).body.items as Record<string, unknown>[])
        .filter((i) => i.kind !== "problem")
        .map((i) => [i.kind, i.dimension, i.action, i.username ?? i.group_name ?? i.ref ?? null]);

    it("match records by the same name key, and turn a refused name into one error line", async () => {
      const ivan = await postUser("ivan");
      expect(ivan.status).toBe(201);
      const group = await postGroup("Imported Group");
      expect(group.status).toBe(201);
      const handle = (await b.db.prisma.user.findUniqueOrThrow({ where: { id: ivan.body.id } })).username;
      const data = {
        Users: [
          { schemas: [USER], userName: "\uFF29\uFF36\uFF21\uFF2E ", title: "imported" },
          { schemas: [USER], id: "okta-zw", userName: "zero\u200Bwidth" },
        ],
        Groups: [{ schemas: [GROUP], displayName: " IMPORTED GROUP" }],
      };
      const dry = await api("/reconciliations", { kind: "import", data });
      expect(dry.status).toBe(201);
      const dryItems = await items(dry.body.id);
      expect(dryItems).toContainEqual(["change", "user", "update", handle]);
      expect(dryItems.filter((i) => i[2] === "create" && i[1] === "idp_group")).toEqual([]);
      // The dry run shows the refusal the apply will meet, not a create.
      expect(dryItems.find((i) => i[2] === "create" && i[1] === "user")).toEqual(["error", "user", "create", "Users[1]"]);

      const applied = await api("/reconciliations", { kind: "import", data, dry_run: false });
      expect(applied.status).toBe(201);
      const appliedItems = await items(applied.body.id);
      expect(appliedItems).toContainEqual(["change", "user", "update", handle]);
      expect(appliedItems.find((i) => i[0] === "error" && i[2] === "create")).toEqual(["error", "user", "create", "Users[1]"]);
      expect(await b.db.prisma.user.findUniqueOrThrow({ where: { id: ivan.body.id } })).toMatchObject({ userName: "\uFF29\uFF36\uFF21\uFF2E " });
      expect(await b.db.prisma.user.count({ where: { userName: "zero\u200Bwidth" } })).toBe(0);
      // The same group, now with the export's spelling.
      expect(await b.db.prisma.idpGroup.findUniqueOrThrow({ where: { displayNameKey: "imported group" } })).toMatchObject({ id: group.body.id, displayName: " IMPORTED GROUP" });
    });

    it("show a deleted user stored under a name now refused, imported with that name, as the apply does: brought back", async () => {
      const legacy = await b.db.prisma.user.create({
        data: { userName: "old\tname", userNameKey: "old\tname", username: "oldname", status: "suspended", resource: Prisma.DbNull },
      });
      const data = { Users: [{ schemas: [USER], userName: "old\tname" }] };
      const dry = await api("/reconciliations", { kind: "import", data });
      expect(dry.status).toBe(201);
      const dryItems = (await items(dry.body.id)).map((i) => i.slice(0, 3));
      const applied = await api("/reconciliations", { kind: "import", data, dry_run: false });
      expect(applied.status).toBe(201);
      const appliedItems = (await items(applied.body.id)).map((i) => i.slice(0, 3));
      // Brought back, it joins the default organization (it was in none): the preview said so too.
      expect(appliedItems).toEqual([["change", "user", "create"], ["change", "organization", "add"]]);
      expect(dryItems).toEqual(appliedItems);
      expect(await b.db.prisma.user.findUniqueOrThrow({ where: { id: legacy.id } })).toMatchObject({ userName: "old\tname", status: "active" });
      expect(await b.db.prisma.organizationMember.count({ where: { userId: legacy.id } })).toBe(1);
    });

    it("show a refused name in a dry run as the error the apply meets, for renames and groups too", async () => {
      const kim = await postUser("kim");
      expect(kim.status).toBe(201);
      const data = {
        Users: [{ schemas: [USER], id: kim.body.id, userName: "ki\u200Bm2" }],
        Groups: [{ schemas: [GROUP], displayName: "   " }],
      };
      const dry = await api("/reconciliations", { kind: "import", data });
      expect(dry.status).toBe(201);
      const dryItems = (await items(dry.body.id)).filter((i) => i[0] !== "problem");
      const applied = await api("/reconciliations", { kind: "import", data, dry_run: false });
      expect(applied.status).toBe(201);
      const appliedItems = (await items(applied.body.id)).filter((i) => i[0] !== "problem");
      expect(dryItems.filter((i) => i[0] === "error")).toHaveLength(2);
      expect(dryItems.filter((i) => i[0] === "error")).toEqual(appliedItems.filter((i) => i[0] === "error"));
      expect(dryItems.filter((i) => i[0] === "change" && (i[2] === "create" || i[2] === "update"))).toEqual([]);
    });
  });
});
