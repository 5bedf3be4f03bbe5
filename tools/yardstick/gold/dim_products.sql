-- Gold dim_products (config/contracts/gold/dim_products.yaml; marts.py dim_products): one row
-- per current product version (no end date) with its ERP category; product_key 1..n by start
-- date, then product number.
SELECT
    row_number() OVER (
        ORDER BY p.prd_start_dt NULLS LAST, p.prd_key NULLS LAST, p._source_row
    ) AS product_key,
    p.prd_id AS product_id,
    p.prd_key AS product_number,
    p.prd_nm AS product_name,
    p.cat_id AS category_id,
    c.cat AS category,
    c.subcat AS subcategory,
    c.maintenance AS maintenance,
    p.prd_cost AS cost,
    p.prd_line AS product_line,
    p.prd_start_dt AS start_date
FROM crm_prd_info AS p
LEFT JOIN erp_px_cat_g1v2 AS c ON c.id = p.cat_id
WHERE p.prd_end_dt IS NULL
ORDER BY product_key
