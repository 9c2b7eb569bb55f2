import { useState } from "preact/hooks";
import { navigate } from "../router";
import { ErrorNote, Field, fieldProblem } from "../ui/components";
import { useAction, useApi } from "../ui/context";
import { runPath, type Run } from "./runs";
import type { Organization } from "./types";

type Kind = "resync" | "import";

/** The import's format from the file: a .csv name or type is CSV, anything else JSON (the API's two). */
const formatOf = (f: File): "json" | "csv" => (/\.csv$/i.test(f.name) || f.type === "text/csv" ? "csv" : "json");

/**
 * Starts a dry run: a resync (the saved sync settings over every user, or an organization's, or a
 * SCIM filter's) or an import of an IdP export (a JSON or CSV file). The run's page follows it.
 */
export function StartRun({ orgs }: { orgs: Organization[] }) {
  const api = useApi();
  const [kind, setKind] = useState<Kind>("resync");
  const [organization, setOrganization] = useState("");
  const [filter, setFilter] = useState("");
  const [file, setFile] = useState<File | undefined>(undefined);
  const [mode, setMode] = useState<"merge" | "replace">("merge");
  const [suspendMissing, setSuspendMissing] = useState(false);
  const [allowMassSuspend, setAllowMassSuspend] = useState(false);
  const { busy, error, run } = useAction();

  const start = (e: Event) => {
    e.preventDefault();
    return run(async () => {
      let body: Record<string, unknown>;
      if (kind === "resync") {
        body = { kind, dry_run: true, ...(organization ? { organization } : {}), ...(filter.trim() ? { filter: filter.trim() } : {}) };
      } else {
        if (!file) throw new Error("Choose the export file to import.");
        const format = formatOf(file);
        const text = await file.text();
        let data: unknown = text;
        if (format === "json") {
          try {
            data = JSON.parse(text);
          } catch {
            throw new Error(`${file.name} is not JSON: export JSON or CSV from the IdP.`);
          }
        }
        body = { kind, dry_run: true, format, data, mode, suspend_missing: suspendMissing, ...(suspendMissing && allowMassSuspend ? { allow_mass_suspend: true } : {}) };
      }
      // wait=0: the run's page follows its progress.
      const started = await api.send<Run>("POST", "/reconciliations?wait=0", body);
      navigate(runPath(started.id));
    });
  };

  return (
    <form class="start-run" onSubmit={(e) => void start(e)} aria-label="Start a dry run">
      <h2>Start a dry run</h2>
      <p class="muted">A dry run changes nothing: it lists what would change. Review it, then apply it from its page.</p>
      <div class="inline-form">
        <Field label="Kind" id="run-kind" problem={fieldProblem(error, "kind")}>
          <select id="run-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind)}>
            <option value="resync">Resync (the saved sync settings over users)</option>
            <option value="import">Import (an IdP export file)</option>
          </select>
        </Field>
        {kind === "resync" ? (
          <>
            <Field label="Organization" id="run-org" problem={fieldProblem(error, "organization")}>
              <select id="run-org" value={organization} onChange={(e) => setOrganization(e.currentTarget.value)}>
                <option value="">Every organization</option>
                {orgs.map((o) => (
                  <option key={o.id} value={o.name}>
                    {o.display_name || o.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Users (SCIM filter)" id="run-filter" problem={fieldProblem(error, "filter")}>
              <input id="run-filter" class="mono" value={filter} placeholder='emails.value ew "@sales.example.com"' onInput={(e) => setFilter(e.currentTarget.value)} />
            </Field>
          </>
        ) : (
          <>
            <Field label="Export file (JSON or CSV)" id="run-file" problem={fieldProblem(error, "data") ?? fieldProblem(error, "format")}>
              <input id="run-file" type="file" accept=".json,.csv,application/json,text/csv" onChange={(e) => setFile(e.currentTarget.files?.[0])} />
            </Field>
            <Field label="Mode" id="run-mode" problem={fieldProblem(error, "mode")}>
              <select id="run-mode" value={mode} onChange={(e) => setMode(e.currentTarget.value as "merge" | "replace")}>
                <option value="merge">merge: set only what the export carries</option>
                <option value="replace">replace: clear what the export lacks</option>
              </select>
            </Field>
            <div class="field checkbox">
              <label>
                <input type="checkbox" checked={suspendMissing} onChange={(e) => setSuspendMissing(e.currentTarget.checked)} /> Suspend users absent from the export
              </label>
            </div>
            {suspendMissing ? (
              <div class="field checkbox">
                <label>
                  <input type="checkbox" checked={allowMassSuspend} onChange={(e) => setAllowMassSuspend(e.currentTarget.checked)} /> Allow suspending more than the configured share of active
                  users
                </label>
              </div>
            ) : null}
          </>
        )}
        <button class="primary" type="submit" disabled={busy}>
          {busy ? "Starting…" : "Start dry run"}
        </button>
      </div>
      <ErrorNote error={error} title="Not started" />
    </form>
  );
}
