-- CreateTable
CREATE TABLE "product_tombstones" (
    "product_id" UUID NOT NULL,
    "product_version" INTEGER NOT NULL,
    "deleted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "product_tombstones_pkey" PRIMARY KEY ("product_id")
);

-- CreateIndex
CREATE INDEX "product_tombstones_deleted_at_idx" ON "product_tombstones"("deleted_at");

-- CreateIndex
CREATE INDEX "processed_events_processed_at_idx" ON "processed_events"("processed_at");
