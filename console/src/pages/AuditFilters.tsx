import { useEffect, useState } from "preact/hooks";
import { Field } from "../ui/components";
import { useDebounced } from "../ui/context";

/** The filters of GET /api/v2/audit, as the URL's query keeps them (a reload or a shared link shows the same rows). */
export interface AuditFilter {
  user: string;
  dimension: "" | "organization" | "group" | "role";
  action: string;
  /** ISO 8601 times (UTC), or "". */
  since: string;
  until: string;
  offset: number;
}

export function auditFilter(q: URLSearchParams): AuditFilter {
  const d = q.get("dimension");
  const offset = Number(q.get("offset") ?? 0);
  return {
    user: q.get("user") ?? "",
    dimension: d === "organization" || d === "group" || d === "role" ? d : "",
    action: q.get("action") ?? "",
    since: q.get("since") ?? "",
    until: q.get("until") ?? "",
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  };
}

export function auditQuery(f: AuditFilter): string {
  const q = new URLSearchParams();
  for (const k of ["user", "dimension", "action", "since", "until"] as const) if (f[k] !== "") q.set(k, f[k]);
  if (f.offset > 0) q.set("offset", String(f.offset));
  const s = q.toString();
  return s === "" ? "" : `?${s}`;
}

/** An ISO time as a datetime-local input shows it (the browser's time zone), and back. */
function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
function fromLocalInput(value: string): string {
  const d = new Date(value);
  return value === "" || Number.isNaN(d.getTime()) ? "" : d.toISOString();
}

/** Labelled controls for every filter the API has; typing is debounced, and any change goes back to the first page. */
export function AuditFilters({ filter, onChange, problem }: { filter: AuditFilter; onChange: (f: AuditFilter) => void; problem: (field: string) => string | undefined }) {
  const [user, setUser] = useState(filter.user);
  const [action, setAction] = useState(filter.action);
  // Two strings, not an object: a new object each render would restart the debounce (and re-render) forever.
  const typedUser = useDebounced(user.trim(), 350);
  const typedAction = useDebounced(action.trim(), 350);
  const typed = { user: typedUser, action: typedAction };
  useEffect(() => {
    if (typed.user !== filter.user || typed.action !== filter.action) onChange({ ...filter, ...typed, offset: 0 });
    // Only the typing drives this; the other filters change through onChange directly.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [typed.user, typed.action]);
  // The URL changed from elsewhere (back, forward, a link): show its filters. Not after our own debounced
  // change, which already matches what was typed (and must not undo keys typed since).
  useEffect(() => {
    if (filter.user !== typed.user) setUser(filter.user);
    if (filter.action !== typed.action) setAction(filter.action);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filter.user, filter.action]);

  return (
    <form class="filters" role="search" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
      <Field label="User" id="audit-user" problem={problem("user")} hint="Id or username">
        <input id="audit-user" value={user} onInput={(e) => setUser(e.currentTarget.value)} aria-describedby="audit-user-hint" />
      </Field>
      <Field label="Action" id="audit-action" problem={problem("action")} hint="A prefix: user., token.">
        <input id="audit-action" value={action} onInput={(e) => setAction(e.currentTarget.value)} aria-describedby="audit-action-hint" />
      </Field>
      <Field label="Sync dimension" id="audit-dimension" problem={problem("dimension")}>
        <select id="audit-dimension" value={filter.dimension} onChange={(e) => onChange({ ...filter, dimension: e.currentTarget.value as AuditFilter["dimension"], offset: 0 })}>
          <option value="">any</option>
          <option value="organization">organization</option>
          <option value="group">group</option>
          <option value="role">role</option>
        </select>
      </Field>
      <Field label="Since" id="audit-since" problem={problem("since")}>
        <input id="audit-since" type="datetime-local" value={toLocalInput(filter.since)} onChange={(e) => onChange({ ...filter, since: fromLocalInput(e.currentTarget.value), offset: 0 })} />
      </Field>
      <Field label="Until" id="audit-until" problem={problem("until")}>
        <input id="audit-until" type="datetime-local" value={toLocalInput(filter.until)} onChange={(e) => onChange({ ...filter, until: fromLocalInput(e.currentTarget.value), offset: 0 })} />
      </Field>
    </form>
  );
}
