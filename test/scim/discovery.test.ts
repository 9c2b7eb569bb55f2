import request from "supertest";
import { testEngines } from "../support/databases";
import { startTestBridge, type TestBridge } from "../support/app";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";

type Def = Record<string, unknown>;

const TYPES = ["string", "boolean", "decimal", "integer", "dateTime", "reference", "complex", "binary"];
const ENUMS: Record<string, readonly string[]> = {
  mutability: ["readOnly", "readWrite", "immutable", "writeOnly"],
  returned: ["always", "never", "default", "request"],
  uniqueness: ["none", "server", "global"],
};

/**
 * What is wrong with one attribute definition as RFC 7643 §7 / §8.7.1 describe it, and with its
 * sub-attributes, as readable lines (`urn:…:User:photos.value: no referenceTypes`). Strict client
 * libraries build typed models from these documents and stop at the first gap.
 */
function problemsOf(def: Def, at: string, depth: number): string[] {
  const out: string[] = [];
  const where = `${at}${typeof def.name === "string" ? def.name : "?"}`;
  if (typeof def.name !== "string" || def.name === "") out.push(`${where}: no name`);
  if (typeof def.type !== "string" || !TYPES.includes(def.type)) out.push(`${where}: type ${JSON.stringify(def.type)}`);
  if (typeof def.description !== "string" || def.description === "") out.push(`${where}: no description`);
  for (const k of ["multiValued", "required", "caseExact"]) if (typeof def[k] !== "boolean") out.push(`${where}: ${k} ${JSON.stringify(def[k])}`);
  for (const [k, allowed] of Object.entries(ENUMS)) if (!allowed.includes(def[k] as string)) out.push(`${where}: ${k} ${JSON.stringify(def[k])}`);
  if (def.canonicalValues !== undefined && !(Array.isArray(def.canonicalValues) && def.canonicalValues.every((v) => typeof v === "string"))) {
    out.push(`${where}: canonicalValues ${JSON.stringify(def.canonicalValues)}`);
  }
  const refs = def.referenceTypes;
  if (def.type === "reference") {
    if (!Array.isArray(refs) || refs.length === 0 || !refs.every((r) => typeof r === "string" && r !== "")) out.push(`${where}: no referenceTypes`);
  } else if (refs !== undefined) {
    out.push(`${where}: referenceTypes on a ${String(def.type)}`);
  }
  const subs = def.subAttributes;
  if (def.type === "complex") {
    // RFC 7643 §2.3.8: a complex attribute has sub-attributes, and those are not complex themselves.
    if (!Array.isArray(subs) || subs.length === 0) out.push(`${where}: complex without subAttributes`);
    else if (depth > 0) out.push(`${where}: a complex sub-attribute`);
    else out.push(...attributesProblems(subs as Def[], `${where}.`, depth + 1));
  } else if (subs !== undefined) {
    out.push(`${where}: subAttributes on a ${String(def.type)}`);
  }
  return out;
}

function attributesProblems(defs: Def[], at: string, depth: number): string[] {
  const names = defs.map((d) => String(d.name).toLowerCase());
  const twice = names.filter((n, i) => names.indexOf(n) !== i).map((n) => `${at}${n}: defined twice`);
  return [...twice, ...defs.flatMap((d) => problemsOf(d, at, depth))];
}

describe.each(testEngines())("SCIM discovery on %s", (engine) => {
  let b: TestBridge;
  const get = (p: string) => request(b.app).get(`/scim/v2${p}`).set("Authorization", `Bearer ${b.scimToken}`);

  beforeAll(async () => {
    b = await startTestBridge(engine);
  });
  afterAll(async () => {
    await b.close();
  });

  it("describes every attribute of every served schema completely, sub-attributes included", async () => {
    const res = await get("/Schemas");
    expect(res.status).toBe(200);
    const schemas = res.body.Resources as { id: string; attributes: Def[] }[];
    expect(schemas.map((s) => s.id)).toEqual([USER, ENT, GROUP]);
    for (const s of schemas) {
      expect(Array.isArray(s.attributes) && s.attributes.length > 0).toBe(true);
      expect([s.id, attributesProblems(s.attributes, `${s.id}:`, 0)]).toEqual([s.id, []]);
      // The single-schema document is the same definition.
      expect((await get(`/Schemas/${s.id}`)).body.attributes).toEqual(s.attributes);
    }
  });

  it("gives photos.value referenceTypes external (RFC 7643 §8.7.1)", async () => {
    const user = (await get(`/Schemas/${USER}`)).body as { attributes: Def[] };
    const photos = user.attributes.find((a) => a.name === "photos")!;
    expect((photos.subAttributes as Def[]).find((a) => a.name === "value")).toMatchObject({ type: "reference", referenceTypes: ["external"] });
  });

  it("checks what it should: a reference without referenceTypes and a complex without subAttributes are reported", () => {
    const base = { description: "d", multiValued: false, required: false, caseExact: false, mutability: "readWrite", returned: "default", uniqueness: "none" };
    expect(attributesProblems([{ ...base, name: "photo", type: "reference" }, { ...base, name: "name", type: "complex" }, { ...base, name: "x", type: "string", caseExact: undefined }], "s:", 0)).toEqual([
      "s:photo: no referenceTypes",
      "s:name: complex without subAttributes",
      "s:x: caseExact undefined",
    ]);
  });
});
