import type { PGlite } from "@electric-sql/pglite";
import { serialize } from "pg-protocol";

/**
 * Named prepared statements on PGlite, which its `query` does not offer: it sends every statement as
 * an unnamed Parse, so PostgreSQL parses, analyses and plans the hot paths' large CTEs on every request
 * (about a third of an embedded create's time, issue 15). Here a named statement is parsed once per
 * database handle (Parse + Describe, which also gives the parameter types), and each run is one call
 * into PostgreSQL with Bind, Describe, Execute and Sync together: PostgreSQL reuses the statement and,
 * after its first five runs, a generic plan when that costs no more, as it does for `pg`'s named
 * statements on a server.
 *
 * PGlite's own mutexes are taken as its `query` takes them, so a statement never runs inside another
 * caller's transaction: outside a transaction both (transaction, then query), inside one (the
 * transaction's holder is the caller) the query mutex only. Rows are parsed with the handle's own type
 * parsers, so results are the same values `query` returns. Prepared statements outlive transactions
 * (also rolled-back ones) as on PostgreSQL; a statement whose Parse fails is not remembered.
 */

/** The mutexes `query` and `transaction` take: declared abstract on PGlite's base class, not in its typings. */
interface Exclusive {
  _runExclusiveQuery<T>(fn: () => Promise<T>): Promise<T>;
  _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T>;
}

interface Field {
  name: string;
  dataTypeID: number;
}

/** PGlite's backend messages, as far as they are read here. */
interface Message {
  name: string;
  dataTypeIDs?: number[];
  fields?: (Field | string | null)[];
}

interface Prepared {
  text: string;
  paramTypes: number[];
}

export interface PreparedRunner {
  /** Runs `text` as the prepared statement `name` (outside a transaction, or inside the caller's when `inTransaction`). */
  query<R>(text: string, params: readonly unknown[], name: string, inTransaction: boolean): Promise<R[]>;
}

/** `observe` (tests' statement counter) sees each run, as it sees `query`'s. */
export function pglitePrepared(db: PGlite, observe?: (text: string, name?: string) => void): PreparedRunner {
  const exclusive = db as unknown as Exclusive;
  const statements = new Map<string, Prepared>();

  async function prepare(name: string, text: string): Promise<Prepared> {
    const known = statements.get(name);
    if (known) {
      // One name, one text (the callers' names are constants, or bounded by statementNames).
      if (known.text !== text) throw new Error(`prepared statement "${name}" was given another text`);
      return known;
    }
    const { messages } = await db.execProtocol(Buffer.concat([serialize.parse({ name, text }), serialize.describe({ type: "S", name }), serialize.sync()]), { syncToFs: false });
    const described = (messages as unknown as Message[]).find((m) => m.name === "parameterDescription");
    const prepared = { text, paramTypes: described?.dataTypeIDs ?? [] };
    statements.set(name, prepared);
    return prepared;
  }

  async function run<R>(text: string, params: readonly unknown[], name: string): Promise<R[]> {
    observe?.(text, name);
    const { paramTypes } = await prepare(name, text);
    const values = params.map((p, i) => {
      if (p === null || p === undefined) return null;
      const toText = db.serializers[paramTypes[i] ?? 0];
      return toText ? toText(p) : String(p);
    });
    const { messages } = await db.execProtocol(
      Buffer.concat([serialize.bind({ statement: name, values }), serialize.describe({ type: "P" }), serialize.execute({}), serialize.sync()]),
      { syncToFs: false },
    );
    let fields: Field[] = [];
    const rows: R[] = [];
    for (const m of messages as unknown as Message[]) {
      if (m.name === "rowDescription") fields = (m.fields ?? []) as Field[];
      else if (m.name === "dataRow") {
        const row: Record<string, unknown> = {};
        (m.fields as (string | null)[]).forEach((v, i) => {
          const f = fields[i]!;
          const parse = db.parsers[f.dataTypeID];
          row[f.name] = v === null ? null : parse ? parse(v, f.dataTypeID) : v;
        });
        rows.push(row as R);
      }
    }
    return rows;
  }

  return {
    query: (text, params, name, inTransaction) =>
      inTransaction ? exclusive._runExclusiveQuery(() => run(text, params, name)) : exclusive._runExclusiveTransaction(() => exclusive._runExclusiveQuery(() => run(text, params, name))),
  };
}
