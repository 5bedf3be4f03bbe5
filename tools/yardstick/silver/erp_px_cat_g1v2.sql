-- Silver erp_px_cat_g1v2 (config/contracts/silver/erp_px_cat_g1v2.yaml): no steps, the source
-- is kept as it is. In: raw_erp_px_cat_g1v2. Out: erp_px_cat_g1v2 (no rejects).

CREATE OR REPLACE TABLE erp_px_cat_g1v2 AS
SELECT id, cat, subcat, maintenance, _source_row
FROM raw_erp_px_cat_g1v2
ORDER BY _source_row;
