-- AlterTable
ALTER TABLE "inventory_items" ADD COLUMN     "product_version" INTEGER NOT NULL DEFAULT 0;
