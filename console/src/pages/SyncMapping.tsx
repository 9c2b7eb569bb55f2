import type { Pair } from "./sync-model";

export interface Option {
  value: string;
  label: string;
}

/**
 * A mapping edited as rows "claim value → target" (Coder's `{given, gets}` pairs): several rows with
 * the same claim value give it several targets. Targets are picked from what exists, claim values are
 * suggested from the values seen on users, so nobody types ids or JSON.
 */
export function MappingEditor({
  id,
  title,
  targetNoun,
  pairs,
  options,
  values,
  problem,
  onChange,
}: {
  id: string;
  title: string;
  /** "Organization", "Group", "Role". */
  targetNoun: string;
  pairs: Pair[];
  options: Option[];
  /** Claim values seen on users (suggestions). */
  values: string[];
  problem: string | undefined;
  onChange: (pairs: Pair[]) => void;
}) {
  const set = (i: number, p: Partial<Pair>) => onChange(pairs.map((x, k) => (k === i ? { ...x, ...p } : x)));
  const listId = `${id}-values`;
  const labelOf = (v: string) => options.find((o) => o.value === v)?.label;
  return (
    <fieldset class={`mapping${problem ? " invalid" : ""}`} aria-describedby={problem ? `${id}-problem` : undefined}>
      <legend>{title}</legend>
      <datalist id={listId}>
        {values.map((v) => (
          <option key={v} value={v} />
        ))}
      </datalist>
      {pairs.length === 0 ? <p class="muted">No mapping: {targetNoun === "Group" ? "claim values match groups by name." : targetNoun === "Role" ? "claim values are taken as role names." : "only the default organization is assigned."}</p> : null}
      {pairs.length > 0 ? (
        <table class="mapping-rows">
          <caption class="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col">Claim value</th>
              <th scope="col">{targetNoun}</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {pairs.map((p, i) => (
              <tr key={i}>
                <td>
                  <input aria-label={`${title}: claim value ${i + 1}`} list={listId} value={p.given} onInput={(e) => set(i, { given: e.currentTarget.value })} />
                </td>
                <td>
                  <select aria-label={`${title}: ${targetNoun.toLowerCase()} ${i + 1}`} value={p.gets} onChange={(e) => set(i, { gets: e.currentTarget.value })}>
                    <option value="">Choose…</option>
                    {labelOf(p.gets) === undefined && p.gets !== "" ? <option value={p.gets}>{p.gets} (unknown)</option> : null}
                    {options.map((o) => (
                      <option key={o.value} value={o.value}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <button type="button" aria-label={`${title}: remove row ${i + 1}`} onClick={() => onChange(pairs.filter((_, k) => k !== i))}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <button type="button" onClick={() => onChange([...pairs, { given: "", gets: "" }])}>
        Add a row to {title.toLowerCase()}
      </button>
      {problem ? (
        <div class="problem" id={`${id}-problem`} role="alert">
          {problem}
        </div>
      ) : null}
    </fieldset>
  );
}
