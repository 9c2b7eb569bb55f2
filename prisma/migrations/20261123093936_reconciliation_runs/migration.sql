-- CreateEnum
CREATE TYPE "ReconciliationStatus" AS ENUM ('running', 'completed', 'failed');

-- CreateTable
CREATE TABLE "reconciliation_runs" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "dry_run" BOOLEAN NOT NULL,
    "status" "ReconciliationStatus" NOT NULL DEFAULT 'running',
    "actor" TEXT NOT NULL,
    "parameters" JSONB NOT NULL,
    "users_total" INTEGER NOT NULL DEFAULT 0,
    "users_scanned" INTEGER NOT NULL DEFAULT 0,
    "users_changed" INTEGER NOT NULL DEFAULT 0,
    "changes" INTEGER NOT NULL DEFAULT 0,
    "problems" INTEGER NOT NULL DEFAULT 0,
    "errors" INTEGER NOT NULL DEFAULT 0,
    "plan_digest" TEXT,
    "source_run_id" UUID,
    "input" JSONB,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "reconciliation_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reconciliation_items" (
    "seq" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "user_id" UUID,
    "username" TEXT,
    "dimension" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "organization_id" UUID,
    "group_id" UUID,
    "group_name" TEXT,
    "role" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "reconciliation_items_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "reconciliation_runs_created_at_id_idx" ON "reconciliation_runs"("created_at", "id");

-- CreateIndex
CREATE INDEX "reconciliation_items_run_id_seq_idx" ON "reconciliation_items"("run_id", "seq");

-- AddForeignKey
ALTER TABLE "reconciliation_items" ADD CONSTRAINT "reconciliation_items_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "reconciliation_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

