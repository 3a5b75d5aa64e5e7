-- The relay no longer marks each row published (an update of every row, in three indexes): it keeps one
-- mark per stream in relay_state, (txid, position), and publishes rows above it whose transaction id is
-- below the oldest transaction still running (docs/decisions/0009-outbox-transaction-id-mark.md).

-- The rows already there take txid 0, before every transaction to come; new rows take their own.
ALTER TABLE "outbox" ADD COLUMN "txid" xid8 NOT NULL DEFAULT '0'::xid8;
ALTER TABLE "outbox" ALTER COLUMN "txid" SET DEFAULT pg_current_xact_id();

ALTER TABLE "relay_state" ADD COLUMN "published_position" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN "published_txid" xid8 NOT NULL DEFAULT '0'::xid8;

-- Each stream's mark starts below the first row not yet published, so nothing waiting is skipped; rows
-- published above it go out again, which consumers drop by event id.
UPDATE "relay_state" SET "published_position" = COALESCE(
  (SELECT min("position") - 1 FROM "outbox" WHERE "published_at" IS NULL),
  (SELECT max("position") FROM "outbox"),
  0
);

-- DropIndex
DROP INDEX "outbox_published_at_position_idx";

-- AlterTable
ALTER TABLE "outbox" DROP COLUMN "published_at",
DROP COLUMN "stream_id";

-- CreateIndex
CREATE INDEX "outbox_txid_position_idx" ON "outbox"("txid", "position");

-- CreateIndex
CREATE INDEX "outbox_created_at_idx" ON "outbox" USING BRIN ("created_at");
