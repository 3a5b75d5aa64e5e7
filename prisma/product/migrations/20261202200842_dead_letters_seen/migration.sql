-- What the relay last saw of the dead-letter stream, so that a broker reset can say how many letters it lost.
-- AlterTable
ALTER TABLE "relay_state" ADD COLUMN     "dead_letters_seen" BIGINT NOT NULL DEFAULT 0;
