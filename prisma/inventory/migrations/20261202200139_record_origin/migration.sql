-- Where a stock record came from: 'event' (a product event made it) or 'api' (POST /api/inventory made it
-- on purpose). Reconcile never deletes an 'api' record for lack of a product.
ALTER TABLE "inventory_items" ADD COLUMN     "origin" VARCHAR(8) NOT NULL DEFAULT 'event';
ALTER TABLE "inventory_items" ADD CONSTRAINT "inventory_items_origin_check" CHECK ("origin" IN ('event', 'api'));

-- Records made before the column: one that no product event ever touched (product_version 0) was made by
-- hand through the API.
UPDATE "inventory_items" SET "origin" = 'api' WHERE "product_version" = 0;
