-- CreateIndex
CREATE INDEX "users_emails_idx" ON "users" USING GIN ("emails");

