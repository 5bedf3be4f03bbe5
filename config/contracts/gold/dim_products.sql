-- One row per current product (no end date), with its ERP category where one matches.
-- product_key numbers the products 1..n by start date, then product number.
SELECT
    row_number() OVER (
        ORDER BY prd.prd_start_dt NULLS LAST, prd.prd_key NULLS LAST,
            prd._source_row, cat._source_row
    ) AS product_key,
    prd.prd_id AS product_id,
    prd.prd_key AS product_number,
    prd.prd_nm AS product_name,
    prd.cat_id AS category_id,
    cat.cat AS category,
    cat.subcat AS subcategory,
    cat.maintenance,
    prd.prd_cost AS cost,
    prd.prd_line AS product_line,
    prd.prd_start_dt AS start_date
FROM crm_prd_info AS prd
LEFT JOIN erp_px_cat_g1v2 AS cat ON cat.id = prd.cat_id
WHERE prd.prd_end_dt IS NULL
ORDER BY product_key
