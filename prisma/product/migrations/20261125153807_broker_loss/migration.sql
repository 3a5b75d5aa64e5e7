-- CreateTable
CREATE TABLE "relay_state" (
    "stream" VARCHAR(200) NOT NULL,
    "epoch" VARCHAR(64) NOT NULL,
    "last_stream_id" VARCHAR(64),
    "published" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "relay_state_pkey" PRIMARY KEY ("stream")
);

-- CreateTable
CREATE TABLE "reconcile_runs" (
    "id" BIGSERIAL NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "products" INTEGER NOT NULL,
    "records" INTEGER NOT NULL,
    "missing" INTEGER NOT NULL,
    "orphans" INTEGER NOT NULL,
    "behind" INTEGER NOT NULL,
    "repaired" INTEGER NOT NULL,

    CONSTRAINT "reconcile_runs_pkey" PRIMARY KEY ("id")
);
