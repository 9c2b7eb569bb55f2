import { useState } from "preact/hooks";
import { ErrorNote, Field } from "../ui/components";
import { useAction, useApi, useDebounced, useLoad } from "../ui/context";
import type { User } from "./types";

/**
 * Adds a manual member: a username search (GET /api/v2/users?q=, ten at most) to pick the user from,
 * then POST /api/v2/organizations/{org}/members/{user}.
 */
export function AddMember({ org, onAdded }: { org: string; onAdded: (username: string) => void }) {
  const api = useApi();
  const [text, setText] = useState("");
  const [picked, setPicked] = useState("");
  const { busy, error, run } = useAction();
  const q = useDebounced(text.trim(), 300);
  const found = useLoad(() => (q === "" ? Promise.resolve({ users: [], count: 0 }) : api.get<{ users: User[]; count: number }>("/users", { q, limit: 10 })), [q]);

  const add = (e: Event) => {
    e.preventDefault();
    if (picked === "") return;
    void run(async () => {
      await api.send("POST", `/organizations/${encodeURIComponent(org)}/members/${encodeURIComponent(picked)}`);
      onAdded(picked);
      setText("");
      setPicked("");
    });
  };

  const users = found.data?.users ?? [];
  return (
    <form class="inline-form" aria-label="Add a member" onSubmit={(e) => void add(e)}>
      <Field label="Find a user" id="member-search" hint="Username, email or name.">
        <input id="member-search" type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} aria-describedby="member-search-hint" />
      </Field>
      <Field label="User to add" id="member-pick">
        <select id="member-pick" value={picked} onChange={(e) => setPicked(e.currentTarget.value)} disabled={users.length === 0}>
          <option value="">{q === "" ? "Search first" : users.length === 0 ? "No user matches" : `Choose (${found.data?.count ?? 0} match)`}</option>
          {users.map((u) => (
            <option key={u.id} value={u.username}>
              {u.username}
              {u.email ? ` (${u.email})` : ""}
            </option>
          ))}
        </select>
      </Field>
      <button class="primary" type="submit" disabled={busy || picked === ""}>
        Add member
      </button>
      <ErrorNote error={error ?? found.error} title={error ? "Not added" : undefined} />
    </form>
  );
}
