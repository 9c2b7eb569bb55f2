import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../api";

/** An API error in words: the API's message, its detail and each field's problem. */
export function ErrorNote({ error, title }: { error: unknown; title?: string }) {
  if (error === undefined || error === null) return null;
  const e = error instanceof ApiError ? error : undefined;
  const message = e ? e.message : error instanceof Error ? error.message : String(error);
  return (
    <div class="error" role="alert">
      <strong>{title ?? (e?.status === 403 ? "Not allowed" : e?.status === 404 ? "Not found" : e?.status === 409 ? "Conflict" : "Something went wrong")}: </strong>
      {message}
      {e?.detail ? <div class="detail">{e.detail}</div> : null}
      {e && e.validations.length > 0 ? (
        <ul>
          {e.validations.map((v) => (
            <li key={v.field}>
              <code>{v.field}</code>: {v.detail}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The field problems of an API error for one field (validation shown next to the field). */
export function fieldProblem(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.validations.find((v) => v.field === field || v.field.startsWith(`${field}.`) || v.field.startsWith(`${field}[`))?.detail;
}

export function Loading({ what }: { what?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      Loading{what ? ` ${what}` : ""}…
    </p>
  );
}

export function Page({ title, actions, children }: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} · SCIM bridge`;
  }, [title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          {title}
        </h1>
        {actions ? <div class="actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

/** A date as the browser's locale writes it, with the exact ISO time on hover. */
export function Time({ at, empty = "never" }: { at: string | null | undefined; empty?: string }) {
  if (!at) return <span class="muted">{empty}</span>;
  const d = new Date(at);
  return (
    <time dateTime={at} title={at}>
      {d.toLocaleString()}
    </time>
  );
}

export function Badge({ kind, children }: { kind?: "ok" | "warn" | "bad" | "info" | "muted"; children: ComponentChildren }) {
  return <span class={`badge ${kind ?? "info"}`}>{children}</span>;
}

/** Previous / next over an offset-paged list, with "x–y of n". */
export function Pager({ offset, limit, count, onPage, label }: { offset: number; limit: number; count: number; onPage: (offset: number) => void; label: string }) {
  const from = count === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, count);
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      <button type="button" disabled={offset === 0} onClick={() => onPage(Math.max(0, offset - limit))}>
        ← Previous
      </button>
      <span aria-live="polite">
        {from.toLocaleString()}–{to.toLocaleString()} of {count.toLocaleString()}
      </span>
      <button type="button" disabled={to >= count} onClick={() => onPage(offset + limit)}>
        Next →
      </button>
    </nav>
  );
}

/**
 * A button that asks before it acts (every destructive action): a modal <dialog> that names what will
 * happen; Escape or Cancel leaves everything as it was. The action's error is shown in the dialog.
 */
export function ConfirmButton({
  label,
  text,
  question,
  confirm,
  onConfirm,
  danger = true,
  disabled,
}: {
  /** The button's accessible name ("Revoke okta-production"), and the dialog's. */
  label: string;
  /** What the button shows, when shorter than its name ("Revoke" in a row that names the token). */
  text?: string;
  question: ComponentChildren;
  confirm?: string;
  onConfirm: () => Promise<unknown>;
  danger?: boolean;
  disabled?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const confirmed = useRef(false);
  // The action removed this button (its row went): focus would fall to <body>; it goes to the page's
  // title instead, so keyboard and screen-reader users stay on the page where they were.
  useEffect(
    () => () => {
      if (!confirmed.current) return;
      window.setTimeout(() => {
        if (document.activeElement === null || document.activeElement === document.body) document.getElementById("page-title")?.focus({ preventScroll: true });
      }, 0);
    },
    [],
  );
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      confirmed.current = true;
      dialog.current?.close();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class={danger ? "danger" : ""} disabled={disabled} aria-label={text !== undefined ? label : undefined} onClick={() => dialog.current?.showModal()}>
        {text ?? label}
      </button>
      <dialog ref={dialog} aria-label={label} onClose={() => setError(undefined)}>
        <div class="dialog-body">{question}</div>
        <ErrorNote error={error} />
        <div class="dialog-actions">
          <button type="button" onClick={() => dialog.current?.close()} disabled={busy}>
            Cancel
          </button>
          <button type="button" class={danger ? "danger" : "primary"} onClick={() => void run()} disabled={busy}>
            {busy ? "Working…" : (confirm ?? label)}
          </button>
        </div>
      </dialog>
    </>
  );
}

/** A secret shown once (a new token, a rotated webhook secret), with a copy button. */
export function ShownOnce({ label, value, note = "This is the only time it is shown: the bridge keeps only its hash." }: { label: string; value: string; note?: string }) {
  const [copied, setCopied] = useState(false);
  const id = `once-${label.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <div class="shown-once" role="region" aria-label={label}>
      <label for={id}>{label}</label>
      <div class="copy-row">
        <input id={id} readOnly value={value} class="mono" onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
        <button
          type="button"
          onClick={() =>
            void navigator.clipboard?.writeText(value).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <p class="muted">{note}</p>
    </div>
  );
}

/** A labelled form field with its problem (from the API's validations) under it. */
export function Field({ label, id, problem, hint, children }: { label: string; id: string; problem?: string | undefined; hint?: ComponentChildren; children: JSX.Element }) {
  return (
    <div class={`field${problem ? " invalid" : ""}`}>
      <label for={id}>{label}</label>
      {children}
      {hint ? (
        <div class="hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      {problem ? (
        <div class="problem" id={`${id}-problem`} role="alert">
          {problem}
        </div>
      ) : null}
    </div>
  );
}

/** Progress of a long operation, announced to screen readers. */
export function Progress({ value, max, label }: { value: number; max: number; label: string }) {
  return (
    <div class="progress">
      <label>
        {label}: {value.toLocaleString()} of {max.toLocaleString()}
        <progress value={value} max={Math.max(max, 1)} aria-label={label} />
      </label>
    </div>
  );
}
