-- AlterTable
ALTER TABLE "webhook_endpoints" ADD COLUMN     "last_failure_at" TIMESTAMPTZ(3),
ADD COLUMN     "last_failure_error" TEXT,
ADD COLUMN     "last_failure_status" INTEGER;

-- Each endpoint's latest failed attempt so far, which the dispatcher keeps from now on.
UPDATE "webhook_endpoints" e
   SET "last_failure_at" = f.at, "last_failure_status" = f.status_code, "last_failure_error" = f.error
  FROM (SELECT DISTINCT ON (d.endpoint_id) d.endpoint_id, a.at, a.status_code, a.error
          FROM "webhook_attempts" a JOIN "webhook_deliveries" d ON d.id = a.delivery_id
         WHERE a.error IS NOT NULL
         ORDER BY d.endpoint_id, a.at DESC, a.id DESC) f
 WHERE f.endpoint_id = e.id;
