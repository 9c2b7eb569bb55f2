import type { ComponentChildren } from "preact";
import { useEffect } from "preact/hooks";
import { queryString } from "../api";
import { navigate } from "../router";
import { ErrorNote, Loading, Pager } from "../ui/components";
import type { Loaded } from "../ui/context";

export const MEMBERS_PAGE = 50;

/** The members page's offset, as the address keeps it (`?offset=`): a reload or a shared link shows the same page. */
export const memberOffset = (query: URLSearchParams): number => Math.max(0, Number(query.get("offset") ?? "0") || 0);

export interface Column<M> {
  head: ComponentChildren;
  cell: (m: M) => ComponentChildren;
}

/**
 * A paged member table (an organization's, a group's): the offset lives in the address of `path`; after
 * the last page's only row went (a removal), it moves to the new last page.
 */
export function MemberTable<M>({
  path,
  offset,
  members,
  columns,
  rowKey,
}: {
  /** The page's console path (the pager's links keep it, with `?offset=`). */
  path: string;
  offset: number;
  members: Loaded<{ members: M[]; count: number }>;
  columns: Array<Column<M>>;
  rowKey: (m: M) => string;
}) {
  const go = (o: number, replace = false) => navigate(`${path}${queryString({ offset: o === 0 ? undefined : o })}`, { replace });
  const count = members.data?.count;
  useEffect(() => {
    if (count !== undefined && count > 0 && offset >= count) go(Math.floor((count - 1) / MEMBERS_PAGE) * MEMBERS_PAGE, true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [count, offset]);

  return (
    <>
      <ErrorNote error={members.error} />
      {members.data === undefined ? (
        members.error ? null : <Loading what="members" />
      ) : (
        <>
          <table aria-busy={members.loading}>
            <caption class="sr-only">Members</caption>
            <thead>
              <tr>
                {columns.map((c, i) => (
                  <th key={i} scope="col">
                    {c.head}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {members.data.members.map((m) => (
                <tr key={rowKey(m)}>
                  {columns.map((c, i) => (
                    <td key={i}>{c.cell(m)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {members.data.count === 0 ? <p class="muted">No members.</p> : null}
          <Pager label="Members" offset={offset} limit={MEMBERS_PAGE} count={members.data.count} onPage={(o) => go(o)} />
        </>
      )}
    </>
  );
}
