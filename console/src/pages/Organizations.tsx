import { href } from "../router";
import { Badge, ErrorNote, Loading, Page } from "../ui/components";
import { useApi, useLoad } from "../ui/context";
import type { Organization } from "./types";

/** Every organization (a handful: the API lists them whole), each linking to its members and groups. */
export function OrganizationsPage() {
  const api = useApi();
  const list = useLoad(() => api.get<Organization[]>("/organizations"), []);
  return (
    <Page title="Organizations and groups">
      <ErrorNote error={list.error} />
      {list.data === undefined ? (
        list.error ? null : <Loading what="organizations" />
      ) : (
        <table>
          <caption class="sr-only">Organizations</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Display name</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((o) => (
              <tr key={o.id}>
                <td>
                  <a href={href(`/organizations/${o.name}`)}>{o.name}</a> {o.is_default ? <Badge kind="muted">default</Badge> : null}
                </td>
                <td>{o.display_name}</td>
                <td>{o.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
