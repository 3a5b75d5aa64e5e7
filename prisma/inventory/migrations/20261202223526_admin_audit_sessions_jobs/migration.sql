-- CreateTable
CREATE TABLE "admin_actions" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" VARCHAR(100) NOT NULL,
    "action" VARCHAR(60) NOT NULL,
    "target" VARCHAR(300),
    "count" INTEGER,
    "outcome" VARCHAR(20) NOT NULL,
    "detail" VARCHAR(1000),

    CONSTRAINT "admin_actions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "admin_sessions" (
    "token_hash" VARCHAR(64) NOT NULL,
    "actor" VARCHAR(100) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "admin_sessions_pkey" PRIMARY KEY ("token_hash")
);

-- CreateTable
CREATE TABLE "dead_letter_jobs" (
    "id" UUID NOT NULL,
    "kind" VARCHAR(10) NOT NULL,
    "cause" VARCHAR(12) NOT NULL,
    "status" VARCHAR(10) NOT NULL DEFAULT 'running',
    "actor" VARCHAR(100) NOT NULL,
    "total" INTEGER NOT NULL,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "succeeded" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "after" VARCHAR(50),
    "up_to" VARCHAR(50) NOT NULL,
    "error" VARCHAR(1000),
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "dead_letter_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "admin_actions_at_idx" ON "admin_actions"("at");

-- CreateIndex
CREATE INDEX "admin_sessions_expires_at_idx" ON "admin_sessions"("expires_at");

-- CreateIndex
CREATE INDEX "dead_letter_jobs_started_at_idx" ON "dead_letter_jobs"("started_at");

-- One running job per cause: a second replay or purge of the same cause is refused while one runs.
CREATE UNIQUE INDEX "dead_letter_jobs_one_running_per_cause" ON "dead_letter_jobs"("cause") WHERE "status" = 'running';
ALTER TABLE "dead_letter_jobs" ADD CONSTRAINT "dead_letter_jobs_kind" CHECK ("kind" IN ('replay', 'purge'));
ALTER TABLE "dead_letter_jobs" ADD CONSTRAINT "dead_letter_jobs_status" CHECK ("status" IN ('running', 'done', 'failed'));
