-- Members oldest first, a page at a time: an index range instead of sorting a 100k-member organization per page.
CREATE INDEX "organization_members_organization_id_created_at_user_id_idx" ON "organization_members"("organization_id", "created_at", "user_id");

CREATE INDEX "group_members_group_id_created_at_user_id_idx" ON "group_members"("group_id", "created_at", "user_id");
