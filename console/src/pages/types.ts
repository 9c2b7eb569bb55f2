/** The admin API's answers these pages read (the schemas are in src/admin/openapi/responses.ts). */

export interface User {
  id: string;
  username: string;
  email: string;
  name: string;
  status: "active" | "dormant" | "suspended";
  login_type: string;
  organization_ids: string[];
  created_at: string;
  updated_at: string;
  last_seen_at: string | null;
}

export interface Organization {
  id: string;
  name: string;
  display_name: string;
  description: string;
  is_default: boolean;
  created_at: string;
}

export interface Member {
  organization_id: string;
  user_id: string;
  username: string;
  name: string;
  email: string;
  roles: { name: string; display_name: string }[];
  source: "sync" | "manual";
  created_at: string;
}

export interface GroupMember {
  id: string;
  username: string;
  email: string;
  name: string;
  status: string;
  membership_source: "sync" | "manual" | "implicit";
}

export interface Group {
  id: string;
  name: string;
  display_name: string;
  organization_id: string;
  organization_name: string;
  organization_display_name: string;
  members: GroupMember[];
  total_member_count: number;
  source: "user" | "oidc";
}

export const statusKind = (s: string): "ok" | "bad" | "muted" => (s === "active" ? "ok" : s === "suspended" ? "bad" : "muted");
