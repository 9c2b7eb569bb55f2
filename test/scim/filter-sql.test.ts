import type { Database } from "../../src/db/database";
import { groupStorage, userStorage } from "../../src/directory/scim-storage";
import { parseFilter } from "../../src/scim/filter/parse";
import { sortSql, toSql } from "../../src/scim/filter/sql";
import { groupResourceType, userResourceType } from "../../src/scim/schema/registry";
import { resolvePath } from "../../src/scim/schema/resolve";
import { openMigrated, testEngines } from "../support/databases";

const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const ids = {
  ann: "00000000-0000-4000-8000-000000000001",
  bob: "00000000-0000-4000-8000-000000000002",
  cy: "00000000-0000-4000-8000-000000000003",
  dee: "00000000-0000-4000-8000-000000000004",
};
type Name = keyof typeof ids;

interface Row {
  name: Name;
  userName: string;
  status: "active" | "suspended";
  externalId: string | null;
  created: string;
  resource: Record<string, unknown>;
}

const rows: Row[] = [
  {
    name: "ann", userName: "Ann.Lee@Example.com", status: "active", externalId: "EXT-1", created: "2024-01-01T00:00:00Z",
    resource: {
      userName: "Ann.Lee@Example.com", title: "Engineer", name: { familyName: "Lee", givenName: "Ann" },
      emails: [{ value: "Ann.Lee@Example.com", type: "work", primary: true }, { value: "ann@home.org", type: "home" }],
      [ENT]: { department: "Sales", employeeNumber: "100", manager: { value: ids.bob } },
    },
  },
  {
    name: "bob", userName: "bob_100%", status: "suspended", externalId: "ext-2", created: "2024-06-01T00:00:00Z",
    resource: {
      userName: "bob_100%", title: "", name: { familyName: "O'Brien" },
      emails: [{ value: "bob@work.example.org", type: "work" }],
      [ENT]: { department: "Engineering" },
    },
  },
  {
    name: "cy", userName: "cy", status: "active", externalId: null, created: "2025-01-01T00:00:00Z",
    resource: { userName: "cy", nickName: "C", emails: [{ value: "cy@home.org", type: "home" }], phoneNumbers: [] },
  },
  { name: "dee", userName: "dee1x00", status: "active", externalId: null, created: "2025-06-01T00:00:00Z", resource: { userName: "dee1x00" } },
];

describe.each(testEngines())("filters in SQL on %s", (engine) => {
  let db: Database;
  let done: () => Promise<void>;

  beforeAll(async () => {
    ({ db, done } = await openMigrated(engine));
    for (const r of rows) {
      const emails = ((r.resource.emails as { value: string }[] | undefined) ?? []).map((e) => e.value.toLowerCase());
      await db.prisma.user.create({
        data: {
          id: ids[r.name], userName: r.userName, userNameKey: r.userName.toLowerCase(), username: r.name, externalId: r.externalId,
          emails, status: r.status, resource: r.resource as object, createdAt: new Date(r.created),
        },
      });
    }
    await db.prisma.idpGroup.create({ data: { id: "10000000-0000-4000-8000-000000000001", displayName: "Eng", displayNameKey: "eng", resource: {} } });
    await db.prisma.idpGroupMember.create({ data: { groupId: "10000000-0000-4000-8000-000000000001", userId: ids.ann } });
  });
  afterAll(async () => {
    await done();
  });

  async function matching(text: string): Promise<Name[]> {
    const f = toSql(parseFilter(userResourceType, text), userStorage, "u");
    const found = await db.prisma.$queryRawUnsafe<{ id: string }[]>(`SELECT u.id::text AS id FROM users u WHERE ${f.text} ORDER BY u.id`, ...f.values);
    return found.map((x) => (Object.keys(ids) as Name[]).find((n) => ids[n] === x.id)!);
  }

  it.each([
    ['userName eq "ann.lee@example.com"', ["ann"]],
    ['userName eq "ANN.LEE@EXAMPLE.COM"', ["ann"]],
    ['userName ne "cy"', ["ann", "bob", "dee"]],
    ['userName co "LEE"', ["ann"]],
    ['userName sw "b"', ["bob"]],
    ['userName ew ".COM"', ["ann"]],
    ['userName co "_100%"', ["bob"]],
    ['userName co "1_0"', []],
    ['userName co "1%0"', []],
    ['userName gt "c"', ["cy", "dee"]],
    ['userName le "bob_100%"', ["ann", "bob"]],
    ['externalId eq "EXT-1"', ["ann"]],
    ['externalId eq "ext-1"', []],
    ["externalId pr", ["ann", "bob"]],
    ['externalId ne "EXT-1"', ["bob", "cy", "dee"]],
    [`id eq "${ids.cy}"`, ["cy"]],
    ['id eq "not-a-uuid"', []],
    ['id ne "not-a-uuid"', ["ann", "bob", "cy", "dee"]],
    ["active eq true", ["ann", "cy", "dee"]],
    ['active eq "False"', ["bob"]],
    ["active ne true", ["bob"]],
    ["title pr", ["ann"]],
    ['title eq "engineer"', ["ann"]],
    ['title ne "Engineer"', ["bob", "cy", "dee"]],
    ['nickName eq "c"', ["cy"]],
    ["nickName eq null", ["ann", "bob", "dee"]],
    ['name.familyName co "\'b"', ["bob"]],
    ["name.givenName pr", ["ann"]],
    ['emails eq "ann@home.org"', ["ann"]],
    ['emails.value eq "ANN@HOME.ORG"', ["ann"]],
    ['emails.value co "@home"', ["ann", "cy"]],
    ['emails.value ne "cy@home.org"', ["ann", "bob", "dee"]],
    ["emails pr", ["ann", "bob", "cy"]],
    ["phoneNumbers pr", []],
    ['emails[type eq "work"].value eq "ann.lee@example.com"', ["ann"]],
    ['emails[type eq "work"].value eq "ann@home.org"', []],
    ['emails[type eq "work" and value co "example"]', ["ann", "bob"]],
    ['emails[type eq "home"]', ["ann", "cy"]],
    ['emails[not (type eq "home")]', ["ann", "bob"]],
    ["emails[primary eq true]", ["ann"]],
    [`${ENT}:department eq "sales"`, ["ann"]],
    [`${ENT}:department sw "Eng"`, ["bob"]],
    [`${ENT}:manager.value eq "${ids.bob}"`, ["ann"]],
    [`${ENT}:employeeNumber eq "100"`, ["ann"]],
    ['meta.created gt "2024-03-01T00:00:00Z"', ["bob", "cy", "dee"]],
    ['meta.created le "2024-06-01T00:00:00Z"', ["ann", "bob"]],
    ['meta.lastModified ge "2000-01-01T00:00:00Z"', ["ann", "bob", "cy", "dee"]],
    ['userName eq "cy" or userName eq "dee1x00"', ["cy", "dee"]],
    ['not (userName eq "cy") and active eq true', ["ann", "dee"]],
    ['(emails co "home" or title pr) and not (nickName pr)', ["ann"]],
    ['not (title eq "Engineer")', ["bob", "cy", "dee"]],
  ] as const)("%s matches %j", async (text, expected) => {
    expect(await matching(text)).toEqual(expected);
  });

  it("finds members of IdP groups, and never fails on a malformed id", async () => {
    const run = async (text: string) => {
      const f = toSql(parseFilter(groupResourceType, text), groupStorage, "g");
      return db.prisma.$queryRawUnsafe<{ id: string }[]>(`SELECT g.id::text AS id FROM idp_groups g WHERE ${f.text}`, ...f.values);
    };
    expect(await run(`id eq "10000000-0000-4000-8000-000000000001" and members[value eq "${ids.ann}"]`)).toHaveLength(1);
    expect(await run(`members[value eq "${ids.bob}"]`)).toHaveLength(0);
    expect(await run(`members.value eq "${ids.ann}"`)).toHaveLength(1);
    expect(await run('members[value eq "garbage"]')).toHaveLength(0);
    expect(await run('displayName eq "ENG"')).toHaveLength(1);
  });

  it("sorts by columns, JSON attributes and the primary value of multi-valued ones", async () => {
    const order = async (attr: string, dir: "ASC" | "DESC") => {
      const expr = sortSql(resolvePath(userResourceType, attr)!, userStorage, "u");
      const r = await db.prisma.$queryRawUnsafe<{ id: string }[]>(`SELECT u.id::text AS id FROM users u ORDER BY ${expr} ${dir} NULLS LAST, u.id`);
      return r.map((x) => (Object.keys(ids) as Name[]).find((n) => ids[n] === x.id));
    };
    expect(await order("userName", "ASC")).toEqual(["ann", "bob", "cy", "dee"]);
    expect(await order("meta.created", "DESC")).toEqual(["dee", "cy", "bob", "ann"]);
    expect(await order("name.familyName", "ASC")).toEqual(["ann", "bob", "cy", "dee"]);
    expect(await order("emails", "ASC")).toEqual(["ann", "bob", "cy", "dee"]);
  });
});
