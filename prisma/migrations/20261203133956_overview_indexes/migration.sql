-- CreateIndex
CREATE INDEX "audit_events_action_created_at_actor_idx" ON "audit_events"("action", "created_at", "actor");

-- CreateIndex
CREATE INDEX "users_status_idx" ON "users"("status");

