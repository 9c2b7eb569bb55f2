import { Field } from "../ui/components";
import { useApi, useDebounced, useLoad } from "../ui/context";
import { MappingEditor } from "./SyncMapping";
import { problemAt, type EditState, type Pair } from "./sync-model";
import type { Organization } from "./types";

/**
 * Organization roles sync may grant (the API refuses site roles and unknown ones on save; the list is
 * Coder's organization roles, the same the bridge checks against).
 */
const ROLES = ["organization-admin", "organization-auditor", "organization-template-admin", "organization-user-admin"].map((r) => ({ value: r, label: r }));

/** The claim values seen on users for a field: suggestions for the mapping rows. */
function useValues(field: string, org?: string): string[] {
  const api = useApi();
  // One request when the typing stops, not one per key.
  const typed = useDebounced(field.trim());
  const path = org ? `/organizations/${encodeURIComponent(org)}/settings/idpsync/field-values` : "/settings/idpsync/field-values";
  return useLoad(() => (typed === "" ? Promise.resolve([]) : api.get<string[]>(path, { claimField: typed })), [path, typed]).data ?? [];
}

export function ClaimField({ id, label, value, problem, onChange, hint }: { id: string; label: string; value: string; problem: string | undefined; onChange: (v: string) => void; hint: string }) {
  return (
    <Field label={label} id={id} problem={problem} hint={hint}>
      <input id={id} list="claim-fields" value={value} onInput={(e) => onChange(e.currentTarget.value)} aria-describedby={`${id}-hint`} aria-invalid={problem ? true : undefined} />
    </Field>
  );
}

/** Organization sync: claim field, assign-default, claim value → organizations. */
export function OrganizationPart({ edit, orgs, error, onChange }: { edit: EditState["organization"]; orgs: Organization[]; error: unknown; onChange: (e: EditState["organization"]) => void }) {
  const values = useValues(edit.field);
  return (
    <section class="sync-part" aria-labelledby="org-sync-title">
      <h2 id="org-sync-title">Organization sync</h2>
      <ClaimField id="org-field" label="Organization claim field" value={edit.field} problem={problemAt(error, "organization.field")} onChange={(field) => onChange({ ...edit, field })} hint="The claim whose values pick organizations; empty turns the mapping off." />
      <div class="field checkbox">
        <label>
          <input type="checkbox" checked={edit.assignDefault} onChange={(e) => onChange({ ...edit, assignDefault: e.currentTarget.checked })} /> Assign every user to the default organization
        </label>
      </div>
      <MappingEditor
        id="org-mapping"
        title="Organization mapping"
        targetNoun="Organization"
        pairs={edit.pairs}
        options={orgs.map((o) => ({ value: o.id, label: o.display_name || o.name }))}
        values={values}
        problem={problemAt(error, "organization.mapping") ?? problemAt(error, "organization")}
        onChange={(pairs: Pair[]) => onChange({ ...edit, pairs })}
      />
    </section>
  );
}

interface Group {
  id: string;
  name: string;
  display_name: string;
}

/** One organization's group sync and role sync. */
export function OrganizationParts({ org, edit, error, onChange }: { org: Organization; edit: EditState["organizations"][string]; error: unknown; onChange: (e: EditState["organizations"][string]) => void }) {
  const api = useApi();
  const groups = useLoad(() => api.get<Group[]>(`/organizations/${encodeURIComponent(org.id)}/groups`, { members: false }), [org.id]);
  const groupValues = useValues(edit.groups.field, org.id);
  const roleValues = useValues(edit.roles.field, org.id);
  const at = `organizations.${org.name}`;
  const g = edit.groups;
  return (
    <>
      <section class="sync-part" aria-labelledby="group-sync-title">
        <h2 id="group-sync-title">Group sync in {org.display_name || org.name}</h2>
        <ClaimField id="group-field" label="Group claim field" value={g.field} problem={problemAt(error, `${at}.groups.field`)} onChange={(field) => onChange({ ...edit, groups: { ...g, field } })} hint="The claim listing the user's IdP groups; empty turns group sync off." />
        <Field label="Regex filter" id="group-regex" problem={problemAt(error, `${at}.groups.regex_filter`)} hint="Only claim values matching it are used (empty: all).">
          <input id="group-regex" class="mono" value={g.regex_filter ?? ""} onInput={(e) => onChange({ ...edit, groups: { ...g, regex_filter: e.currentTarget.value === "" ? null : e.currentTarget.value } })} aria-describedby="group-regex-hint" />
        </Field>
        <div class="field checkbox">
          <label>
            <input type="checkbox" checked={g.auto_create_missing_groups} onChange={(e) => onChange({ ...edit, groups: { ...g, auto_create_missing_groups: e.currentTarget.checked } })} /> Create missing groups named by
            unmapped claim values
          </label>
        </div>
        <MappingEditor
          id="group-mapping"
          title="Group mapping"
          targetNoun="Group"
          pairs={g.pairs}
          options={(groups.data ?? []).map((x) => ({ value: x.id, label: x.display_name || x.name }))}
          values={groupValues}
          problem={problemAt(error, `${at}.groups.mapping`) ?? problemAt(error, `${at}.groups`) ?? problemAt(error, at)}
          onChange={(pairs) => onChange({ ...edit, groups: { ...g, pairs } })}
        />
      </section>
      <section class="sync-part" aria-labelledby="role-sync-title">
        <h2 id="role-sync-title">Role sync in {org.display_name || org.name}</h2>
        <ClaimField id="role-field" label="Role claim field" value={edit.roles.field} problem={problemAt(error, `${at}.roles.field`)} onChange={(field) => onChange({ ...edit, roles: { ...edit.roles, field } })} hint="The claim whose values grant organization roles; empty turns role sync off." />
        <MappingEditor
          id="role-mapping"
          title="Role mapping"
          targetNoun="Role"
          pairs={edit.roles.pairs}
          options={ROLES}
          values={roleValues}
          problem={problemAt(error, `${at}.roles.mapping`) ?? problemAt(error, `${at}.roles`)}
          onChange={(pairs) => onChange({ ...edit, roles: { ...edit.roles, pairs } })}
        />
      </section>
    </>
  );
}
