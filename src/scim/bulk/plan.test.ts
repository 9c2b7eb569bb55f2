import { planBulk, type PlanInput, type Step } from "./plan";

const post = (index: number, defines: string, ...refs: string[]): PlanInput => ({ index, defines, refs: new Set(refs), canDefer: true });
const other = (index: number, ...refs: string[]): PlanInput => ({ index, defines: undefined, refs: new Set(refs), canDefer: false });
/** Steps as short strings: `3` runs operation 3, `3-x` runs it without its references to x, `+3` completes it. */
const show = (steps: Step[]) => steps.map((s) => (s.kind === "complete" ? `+${s.index}` : s.defer.size > 0 ? `${s.index}-${[...s.defer].join(",")}` : `${s.index}`));

describe("planBulk", () => {
  it("runs operations in the order of the request when nothing refers ahead", () => {
    expect(show(planBulk([post(0, "u"), post(1, "g", "u"), other(2, "g"), other(3)]))).toEqual(["0", "1", "2", "3"]);
  });

  it("runs the POST defining a bulkId before the first operation that refers to it (a group before its members)", () => {
    expect(show(planBulk([post(0, "g", "u1", "u2"), post(1, "u1"), post(2, "u2")]))).toEqual(["1", "2", "0"]);
    expect(show(planBulk([other(0, "u"), post(1, "u")]))).toEqual(["1", "0"]);
  });

  it("follows chains of references, deep ones too, without recursion", () => {
    expect(show(planBulk([post(0, "a", "b"), post(1, "b", "c"), post(2, "c")]))).toEqual(["2", "1", "0"]);
    const n = 20_000;
    const chain = Array.from({ length: n }, (_, i) => post(i, `b${i}`, ...(i + 1 < n ? [`b${i + 1}`] : [])));
    const steps = planBulk(chain);
    expect(steps).toHaveLength(n);
    expect(steps[0]).toMatchObject({ index: n - 1 });
  });

  it("breaks a circle between POSTs: the last one opened runs without the reference and is completed after the other", () => {
    // Two users naming each other as manager.
    expect(show(planBulk([post(0, "a", "b"), post(1, "b", "a")]))).toEqual(["1-a", "0", "+1"]);
    // Three in a ring.
    expect(show(planBulk([post(0, "a", "b"), post(1, "b", "c"), post(2, "c", "a")]))).toEqual(["2-a", "1", "0", "+2"]);
  });

  it("completes a POST that refers to itself right after it runs", () => {
    expect(show(planBulk([post(0, "a", "a"), other(1)]))).toEqual(["0-a", "+0", "1"]);
  });

  it("completes a POST waiting on two circles once both resources exist", () => {
    // 0 → 1 → 2 → {0, 1}: 2 waits on both.
    expect(show(planBulk([post(0, "a", "b"), post(1, "b", "c"), post(2, "c", "a", "b")]))).toEqual(["2-a,b", "1", "0", "+2"]);
  });

  it("leaves a circle it can't break unbroken (the operation gets a 409 when it runs) and never loops", () => {
    // Neither can be completed later (say, a POST whose reference is in its path): they run as planned.
    const stuck = (index: number, defines: string, ref: string): PlanInput => ({ index, defines, refs: new Set([ref]), canDefer: false });
    expect(show(planBulk([stuck(0, "a", "b"), stuck(1, "b", "a")]))).toEqual(["1", "0"]);
  });

  it("ignores references no POST defines (they fail when run) and the first definition of a duplicate wins", () => {
    expect(show(planBulk([other(0, "nobody"), post(1, "x"), post(2, "x"), other(3, "x")]))).toEqual(["0", "1", "2", "3"]);
  });
});
