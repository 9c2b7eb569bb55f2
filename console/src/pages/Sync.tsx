import { useEffect, useState } from "preact/hooks";
import { ApiError } from "../api";
import { href } from "../router";
import { ConfirmButton, ErrorNote, Loading, Page, Progress } from "../ui/components";
import { useApi, useLoad } from "../ui/context";
import { count, runPath, useRunWatch, type Run } from "./runs";
import { candidateOf, editOf, isEmpty, same, settingsOf, type AllSettings, type Candidate, type EditState } from "./sync-model";
import { OrganizationPart, OrganizationParts } from "./SyncParts";
import type { Organization } from "./types";
import { PlanDifference, PlanView } from "./SyncReview";

/**
 * IdP sync settings: edit the organization sync and each organization's group and role sync, preview
 * what the edited settings would change over every user (a resync dry run of the candidate), save
 * them (one transaction), then apply exactly the reviewed plan (refused by the API if anything
 * changed since the preview: then a fresh dry run shows the plan as it is now).
 */
export function SyncPage() {
  const api = useApi();
  const settings = useLoad(() => api.get<AllSettings>("/settings/idpsync"), []);
  const orgs = useLoad(() => api.get<Organization[]>("/organizations"), []);
  const fields = useLoad(() => api.get<string[]>("/settings/idpsync/available-fields"), []);
  /** The settings as saved by this page (read back after a save), over the first load's. */
  const [savedNow, setSavedNow] = useState<AllSettings | undefined>(undefined);
  const [edit, setEdit] = useState<EditState | undefined>(undefined);
  const [orgName, setOrgName] = useState<string | undefined>(undefined);
  const [error, setError] = useState<{ what: "preview" | "save"; error: unknown } | undefined>(undefined);
  const [busy, setBusy] = useState<"preview" | "save" | undefined>(undefined);
  const [preview, setPreview] = useState<{ candidate: Candidate; run: Run } | undefined>(undefined);
  /** The preview whose settings were saved: the plan to apply. */
  const [reviewed, setReviewed] = useState<Run | undefined>(undefined);
  const [applied, setApplied] = useState<Run | undefined>(undefined);
  const [changed, setChanged] = useState<{ error: unknown; reviewed: Run; fresh: Run } | undefined>(undefined);
  const watch = useRunWatch(api);

  useEffect(() => {
    if (settings.data && edit === undefined) setEdit(editOf(settings.data));
  }, [settings.data, edit]);
  const defaultOrg = orgs.data?.find((o) => o.is_default) ?? orgs.data?.[0];
  const org = orgs.data?.find((o) => o.name === (orgName ?? defaultOrg?.name));

  if (settings.data === undefined || edit === undefined || orgs.data === undefined) {
    return (
      <Page title="IdP sync">
        <ErrorNote error={settings.error ?? orgs.error} />
        {settings.error || orgs.error ? null : <Loading what="the sync settings" />}
      </Page>
    );
  }
  const saved = savedNow ?? settings.data;
  const candidate = candidateOf(saved, settingsOf(edit));
  const previewCurrent = preview !== undefined && same(preview.candidate, candidate);

  const act = async (what: "preview" | "save", fn: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError({ what, error: e });
    } finally {
      setBusy(undefined);
    }
  };
  const dryRun = (settingsPreview?: Candidate) => watch.follow(() => api.send<Run>("POST", "/reconciliations?wait=5", { kind: "resync", ...(settingsPreview ? { settings: settingsPreview } : {}) }));

  const runPreview = () =>
    act("preview", async () => {
      setApplied(undefined);
      setChanged(undefined);
      setReviewed(undefined);
      const run = await dryRun(candidate);
      if (run.status === "failed") throw new Error(run.error ?? "The preview failed.");
      setPreview({ candidate, run });
    });
  const save = () =>
    act("save", async () => {
      await api.send("PUT", "/settings/idpsync", candidate);
      setReviewed(preview?.run);
      setPreview(undefined);
      const fresh = await api.get<AllSettings>("/settings/idpsync");
      setSavedNow(fresh);
      setEdit(editOf(fresh));
    });
  const apply = async (run: Run) => {
    setChanged(undefined);
    try {
      const done = await watch.follow(() => api.send<Run>("POST", `${runPath(run.id)}/apply?wait=5`));
      if (done.status === "failed") throw new Error(done.error ?? "The apply failed.");
      setApplied(done);
      setReviewed(undefined);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 409)) throw e;
      // The plan changed since the review: show the plan as it is now; applying that one is a new review.
      const fresh = await dryRun();
      setReviewed(undefined);
      setChanged({ error: e, reviewed: run, fresh });
    }
  };
  const applyButton = (run: Run, label: string) => (
    <ConfirmButton
      label={label}
      danger={false}
      confirm="Apply"
      question={
        <p>
          Apply the reviewed plan: {count(run.summary.changes, "change")} to {count(run.summary.users_changed, "user")}. If anything it covers changed since the review, nothing is
          applied and a fresh plan is shown.
        </p>
      }
      onConfirm={() => apply(run)}
    />
  );

  return (
    <Page title="IdP sync">
      <p class="lead">
        Which organizations, groups and roles users get from their IdP claims. Preview a change over every user before saving it, then apply the reviewed plan to the users
        already provisioned (new provisioning requests use the saved settings at once).
      </p>
      <datalist id="claim-fields">
        {(fields.data ?? []).map((f) => (
          <option key={f} value={f} />
        ))}
      </datalist>
      <form class="sync-form" aria-label="IdP sync settings" onSubmit={(e) => (e.preventDefault(), void runPreview())}>
        <OrganizationPart edit={edit.organization} orgs={orgs.data} error={error?.error} onChange={(o) => setEdit({ ...edit, organization: o })} />
        <div class="field">
          <label for="sync-org">Organization whose group and role sync to edit</label>
          <select id="sync-org" value={org?.name} onChange={(e) => setOrgName(e.currentTarget.value)}>
            {orgs.data.map((o) => (
              <option key={o.id} value={o.name}>
                {o.display_name || o.name}
                {candidate.organizations?.[o.name] ? " (edited)" : ""}
              </option>
            ))}
          </select>
        </div>
        {org && edit.organizations[org.name] ? (
          <OrganizationParts key={org.id} org={org} edit={edit.organizations[org.name]!} error={error?.error} onChange={(p) => setEdit({ ...edit, organizations: { ...edit.organizations, [org.name]: p } })} />
        ) : null}
        <ErrorNote error={error?.error} title={error?.what === "save" ? "Not saved" : "Not previewed"} />
        <div class="form-actions">
          <button type="submit" class={previewCurrent ? "" : "primary"} disabled={busy !== undefined || isEmpty(candidate)}>
            {busy === "preview" ? "Previewing…" : "Preview changes"}
          </button>
          <button type="button" class={previewCurrent ? "primary" : ""} disabled={busy !== undefined || !previewCurrent} onClick={() => void save()}>
            {busy === "save" ? "Saving…" : "Save settings"}
          </button>
          <button type="button" disabled={busy !== undefined || isEmpty(candidate)} onClick={() => (setEdit(editOf(saved)), setPreview(undefined), setError(undefined))}>
            Discard changes
          </button>
        </div>
        {isEmpty(candidate) ? <p class="muted">No unsaved changes.</p> : !previewCurrent ? <p class="notice">Preview the changes before saving them.</p> : null}
      </form>

      {watch.running ? <Progress value={watch.running.summary.users_scanned} max={watch.running.summary.users_total} label={watch.running.dry_run ? "Users checked" : "Users applied"} /> : null}
      {preview && previewCurrent ? <PlanView run={preview.run} title="Preview: what saving and applying these settings changes" /> : null}
      {reviewed ? (
        <section class="notice" aria-labelledby="saved-title">
          <h2 id="saved-title">Settings saved</h2>
          <p>New provisioning requests use them now. Users already provisioned change when the reviewed plan is applied.</p>
          {applyButton(reviewed, "Apply the reviewed plan")}
          <PlanView run={reviewed} title="The reviewed plan" />
        </section>
      ) : null}
      {changed ? (
        <section aria-labelledby="changed-title">
          <h2 id="changed-title">The plan changed since the review</h2>
          <ErrorNote error={changed.error} title="Not applied" />
          <p>Nothing was applied.</p>
          <PlanDifference reviewed={changed.reviewed} now={changed.fresh} />
          {changed.fresh.summary.changes > 0 ? applyButton(changed.fresh, "Apply this plan") : <p>Applying the saved settings changes nothing now.</p>}
          <PlanView run={changed.fresh} title="The plan now" />
        </section>
      ) : null}
      {applied ? (
        <div class="success" role="status">
          Applied: {count(applied.summary.changes, "change")} to {count(applied.summary.users_changed, "user")}. <a href={href(runPath(applied.id))}>Open the report of the apply</a>
        </div>
      ) : null}
    </Page>
  );
}
