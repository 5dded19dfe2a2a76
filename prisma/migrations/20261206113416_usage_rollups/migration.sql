-- CreateTable
CREATE TABLE "usage_rollups" (
    "organizationId" TEXT NOT NULL,
    "bucketStart" TIMESTAMP(3) NOT NULL,
    "model" TEXT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "requests" BIGINT NOT NULL,
    "failedRequests" BIGINT NOT NULL,
    "promptTokens" BIGINT NOT NULL,
    "completionTokens" BIGINT NOT NULL,
    "cachedTokens" BIGINT NOT NULL,
    "costNanos" BIGINT NOT NULL,

    CONSTRAINT "usage_rollups_pkey" PRIMARY KEY ("organizationId","bucketStart","model","currency")
);

-- CreateTable
CREATE TABLE "usage_rollup_state" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "rolledUpTo" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "usage_rollup_state_pkey" PRIMARY KEY ("id")
);
