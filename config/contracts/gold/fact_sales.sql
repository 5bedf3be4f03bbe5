-- One row per order line, with the surrogate keys of its product and customer. A line whose
-- product or customer has no dimension row keeps a missing key (never dropped), so the
-- relationship checks can report it.
SELECT
    sales.sls_ord_num AS order_number,
    products.product_key,
    customers.customer_key,
    sales.sls_order_dt AS order_date,
    sales.sls_ship_dt AS shipping_date,
    sales.sls_due_dt AS due_date,
    sales.sls_sales AS sales_amount,
    sales.sls_quantity AS quantity,
    sales.sls_price AS price
FROM crm_sales_details AS sales
LEFT JOIN dim_products AS products ON products.product_number = sales.sls_prd_key
LEFT JOIN dim_customers AS customers ON customers.customer_id = sales.sls_cust_id
ORDER BY sales._source_row, products.product_key, customers.customer_key
