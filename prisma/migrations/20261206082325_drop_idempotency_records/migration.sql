-- DropTable
DROP TABLE "idempotency_records";
