-- Gold agg_sales_by_country (config/contracts/gold/agg_sales_by_country.yaml; marts.py): one
-- row per customer country (n/a when unknown) and order month.
SELECT
    coalesce(c.country, 'n/a') AS country,
    order_month(f.order_date) AS month,
    count(DISTINCT f.order_number) AS orders,
    count(DISTINCT f.customer_key) AS customers,
    CAST(coalesce(sum(f.quantity), 0) AS BIGINT) AS quantity,
    coalesce(sum(f.sales_amount), 0) AS sales_amount,
    coalesce(sum(f.sales_amount), 0) / count(DISTINCT f.order_number) AS average_order_value
FROM fact_sales AS f
LEFT JOIN dim_customers AS c ON c.customer_key = f.customer_key
GROUP BY 1, 2
ORDER BY 1, 2
