-- AlterTable
ALTER TABLE "provider_events" ADD COLUMN     "decoded" JSONB,
ADD COLUMN     "rawBody" BYTEA;
