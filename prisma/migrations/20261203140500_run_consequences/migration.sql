-- A completed run's sync consequences, summed up once when it completes (GET /reconciliations/{id}).
ALTER TABLE "reconciliation_runs" ADD COLUMN "consequences" JSONB;
