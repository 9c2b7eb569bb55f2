import { useEffect, useState } from "preact/hooks";
import { queryString } from "../api";
import { href, navigate } from "../router";
import { Badge, ErrorNote, Field, Loading, Page, Pager, Time, fieldProblem } from "../ui/components";
import { useApi, useDebounced, useLoad } from "../ui/context";
import { statusKind, type User } from "./types";

const LIMIT = 50;

/**
 * Users: server-side search with GET /api/v2/users' query language and offset paging. `q` and `offset`
 * live in the address, so a reload, a copied link and the back button show the same page.
 */
export function UsersPage({ query }: { query: URLSearchParams }) {
  const api = useApi();
  const q = query.get("q") ?? "";
  const offset = Math.max(0, Number(query.get("offset") ?? "0") || 0);
  const [text, setText] = useState(q);
  const typed = useDebounced(text, 300);
  // Typing replaces the address (one history entry per search, not per key); paging pushes.
  useEffect(() => {
    if (typed.trim() !== q) navigate(`/users${queryString({ q: typed.trim() })}`, { replace: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [typed]);
  // Back/forward to another search: the box follows the address.
  useEffect(() => setText((t) => (t.trim() === q ? t : q)), [q]);
  const list = useLoad(() => api.get<{ users: User[]; count: number }>("/users", { q, limit: LIMIT, offset }), [q, offset]);

  return (
    <Page title="Users">
      <form class="filters" role="search" aria-label="Search users" onSubmit={(e) => e.preventDefault()}>
        <Field
          label="Search"
          id="user-search"
          problem={fieldProblem(list.error, "q")}
          hint={
            <>
              Words match username, email or name; <code>status:suspended</code>, <code>login_type:oidc</code>, <code>email:</code>, <code>username:</code> filter.
            </>
          }
        >
          <input id="user-search" type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} aria-describedby="user-search-hint" size={40} />
        </Field>
      </form>
      {fieldProblem(list.error, "q") ? null : <ErrorNote error={list.error} />}
      {list.data === undefined ? (
        list.error ? null : <Loading what="users" />
      ) : (
        <>
          <table aria-busy={list.loading}>
            <caption class="sr-only">Users</caption>
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.users.map((u) => (
                <tr key={u.id}>
                  <td>
                    <a href={href(`/users/${u.id}`)}>{u.username}</a>
                  </td>
                  <td>{u.name}</td>
                  <td>{u.email}</td>
                  <td>
                    <Badge kind={statusKind(u.status)}>{u.status}</Badge>
                  </td>
                  <td>
                    <Time at={u.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.data.count === 0 ? <p class="muted">No user matches.</p> : null}
          <Pager label="Users" offset={offset} limit={LIMIT} count={list.data.count} onPage={(o) => navigate(`/users${queryString({ q, offset: o === 0 ? undefined : o })}`)} />
        </>
      )}
    </Page>
  );
}
