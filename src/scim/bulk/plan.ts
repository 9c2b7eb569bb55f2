/**
 * The order a Bulk request's operations run in (RFC 7644 §3.7.2), computed before anything runs,
 * purely. Operations run in the order of the request, except that the POST defining a bulkId runs
 * before the first operation that refers to it (a group created before its members in the request
 * gets them). When references go round in a circle (two users naming each other as manager, a
 * user naming itself), the POST that closes the circle runs without the references to resources not
 * created yet, and completes with a PATCH once they exist (RFC 7644 §3.7.1). A circle that can't be
 * broken that way (through a path, or a PUT or PATCH) leaves the reference unresolved: the operation
 * gets a 409 when it runs. Iterative, so a chain of thousands of references can't exhaust the stack.
 */

export interface PlanInput {
  index: number;
  /** The bulkId this operation's POST defines. */
  defines: string | undefined;
  /** The bulkIds it refers to, in its path or its data. */
  refs: ReadonlySet<string>;
  /** True for a POST: its references are all in its data, which may be completed later. */
  canDefer: boolean;
}

export type Step =
  /** Run operation `index`, leaving out the parts of its data that name `defer`. */
  | { kind: "run"; index: number; defer: ReadonlySet<string> }
  /** Patch in the parts of operation `index`'s data that were left out: their resources exist now. */
  | { kind: "complete"; index: number };

interface Frame {
  op: PlanInput;
  refs: string[];
  next: number;
  defer: Set<string>;
}

export function planBulk(ops: readonly PlanInput[]): Step[] {
  const definer = new Map<string, PlanInput>();
  for (const op of ops) if (op.defines !== undefined && !definer.has(op.defines)) definer.set(op.defines, op);
  const state = new Map<number, "open" | "done">();
  /** Operations whose completion waits on the run of the key. */
  const waiting = new Map<number, number[]>();
  const pending = new Map<number, number>();
  const steps: Step[] = [];
  const open = (op: PlanInput): Frame => {
    state.set(op.index, "open");
    return { op, refs: [...op.refs], next: 0, defer: new Set() };
  };

  for (const first of ops) {
    if (state.has(first.index)) continue;
    const stack: Frame[] = [open(first)];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.refs.length) {
        const ref = top.refs[top.next++]!;
        const target = definer.get(ref);
        // Undefined bulkIds, and those whose POST already ran, need nothing here.
        if (!target || state.get(target.index) === "done") continue;
        if (!state.has(target.index)) {
          stack.push(open(target));
        } else if (top.op.canDefer) {
          // `target` is open: it waits (through the stack) on this operation, a circle.
          top.defer.add(ref);
          waiting.set(target.index, [...(waiting.get(target.index) ?? []), top.op.index]);
        }
        continue;
      }
      stack.pop();
      state.set(top.op.index, "done");
      steps.push({ kind: "run", index: top.op.index, defer: top.defer });
      if (top.defer.size > 0) pending.set(top.op.index, top.defer.size);
      for (const waiter of waiting.get(top.op.index) ?? []) {
        const left = pending.get(waiter)! - 1;
        pending.set(waiter, left);
        if (left === 0) steps.push({ kind: "complete", index: waiter });
      }
    }
  }
  return steps;
}
