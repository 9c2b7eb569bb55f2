-- Each event records its transaction id (the events feed reads in (tx_id, seq) order below the oldest
-- running transaction). Existing rows get this migration's transaction id: one value, after every
-- earlier one, so they keep their seq order.
-- AlterTable
ALTER TABLE "outbox_events" ADD COLUMN     "tx_id" xid8 NOT NULL DEFAULT pg_current_xact_id();

-- CreateTable
CREATE TABLE "outbox_horizon" (
    "id" INTEGER NOT NULL,
    "tx_id" xid8 NOT NULL,
    "seq" BIGINT NOT NULL,

    CONSTRAINT "outbox_horizon_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "outbox_events_tx_id_seq_idx" ON "outbox_events"("tx_id", "seq");

