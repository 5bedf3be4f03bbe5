-- Gold fact_sales (config/contracts/gold/fact_sales.yaml; marts.py fact_sales): one row per
-- order line with the surrogate keys of its product and customer (missing when none matches).
SELECT
    s.sls_ord_num AS order_number,
    p.product_key,
    c.customer_key,
    s.sls_order_dt AS order_date,
    s.sls_ship_dt AS shipping_date,
    s.sls_due_dt AS due_date,
    s.sls_sales AS sales_amount,
    s.sls_quantity AS quantity,
    s.sls_price AS price
FROM crm_sales_details AS s
LEFT JOIN dim_products AS p ON p.product_number = s.sls_prd_key
LEFT JOIN dim_customers AS c ON c.customer_id = s.sls_cust_id
ORDER BY s._source_row
