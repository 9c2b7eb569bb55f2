import { useState } from "preact/hooks";
import { href } from "../router";
import { ErrorNote, Field, ShownOnce, fieldProblem } from "../ui/components";
import { useAction, useApi } from "../ui/context";
import { SECRET_NOTE, parseEvents, type Webhook } from "./webhook-types";

/** Adds an endpoint (POST /webhooks); its signing secret is shown this once. */
export function WebhookAdd({ onAdded }: { onAdded: () => void }) {
  const api = useApi();
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState("");
  const [description, setDescription] = useState("");
  const { busy, error, run } = useAction();
  const [added, setAdded] = useState<(Webhook & { secret: string }) | undefined>(undefined);

  const submit = (e: Event) => {
    e.preventDefault();
    setAdded(undefined);
    return run(async () => {
      const list = parseEvents(events);
      const made = await api.send<Webhook & { secret: string }>("POST", "/webhooks", {
        url: url.trim(),
        ...(list ? { events: list } : {}),
        ...(description.trim() !== "" ? { description: description.trim() } : {}),
      });
      setAdded(made);
      setUrl("");
      setEvents("");
      setDescription("");
      onAdded();
    });
  };

  return (
    <>
      <form class="inline-form" onSubmit={(e) => void submit(e)} aria-label="Add an endpoint">
        <Field label="URL" id="webhook-url" problem={fieldProblem(error, "url")}>
          <input id="webhook-url" type="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} placeholder="https://hooks.example.com/scim" />
        </Field>
        <Field label="Event types" id="webhook-events" problem={fieldProblem(error, "events")} hint="Comma-separated, such as user.created, user.deleted; blank: every type.">
          <input id="webhook-events" value={events} onInput={(e) => setEvents(e.currentTarget.value)} aria-describedby="webhook-events-hint" />
        </Field>
        <Field label="Description" id="webhook-description" problem={fieldProblem(error, "description")}>
          <input id="webhook-description" value={description} onInput={(e) => setDescription(e.currentTarget.value)} maxLength={500} />
        </Field>
        <button class="primary" type="submit" disabled={busy || url.trim() === ""}>
          {busy ? "Adding…" : "Add endpoint"}
        </button>
      </form>
      <ErrorNote error={error} title="Not added" />
      {added ? (
        <>
          <ShownOnce label={`Signing secret of ${added.url}`} value={added.secret} note={SECRET_NOTE} />
          <p>
            Added: <a href={href(`/webhooks/${encodeURIComponent(added.id)}`)}>{added.url}</a>.
          </p>
        </>
      ) : null}
    </>
  );
}
