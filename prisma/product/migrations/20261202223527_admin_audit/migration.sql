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

-- CreateIndex
CREATE INDEX "admin_actions_at_idx" ON "admin_actions"("at");
