-- Gold agg_sales_monthly (config/contracts/gold/agg_sales_monthly.yaml; marts.py): one row per
-- order month ('unknown' for lines without an order date).
SELECT
    order_month(order_date) AS month,
    count(DISTINCT order_number) AS orders,
    count(DISTINCT customer_key) AS customers,
    CAST(coalesce(sum(quantity), 0) AS BIGINT) AS quantity,
    coalesce(sum(sales_amount), 0) AS sales_amount,
    coalesce(sum(sales_amount), 0) / count(DISTINCT order_number) AS average_order_value
FROM fact_sales
GROUP BY month
ORDER BY month
