-- AlterTable
ALTER TABLE "plan_assignments" ADD COLUMN     "assignedBy" TEXT NOT NULL DEFAULT 'organization';

-- AlterTable
ALTER TABLE "plans" ADD COLUMN     "visibility" TEXT NOT NULL DEFAULT 'private';

-- CreateTable
CREATE TABLE "plan_grants" (
    "id" TEXT NOT NULL,
    "planId" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "plan_grants_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "plan_grants_organizationId_idx" ON "plan_grants"("organizationId");

-- CreateIndex
CREATE UNIQUE INDEX "plan_grants_planId_organizationId_key" ON "plan_grants"("planId", "organizationId");

-- AddForeignKey
ALTER TABLE "plan_grants" ADD CONSTRAINT "plan_grants_planId_fkey" FOREIGN KEY ("planId") REFERENCES "plans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "plan_grants" ADD CONSTRAINT "plan_grants_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
