-- One row per order month (YYYY-MM; 'unknown' for order lines without an order date).
WITH lines AS (
    SELECT
        coalesce(strftime(order_date, '%Y-%m'), 'unknown') AS month,
        order_number,
        customer_key,
        quantity,
        sales_amount
    FROM fact_sales
)
SELECT
    month,
    count(DISTINCT order_number) AS orders,
    count(DISTINCT customer_key) AS customers,
    CAST(coalesce(sum(quantity), 0) AS BIGINT) AS quantity,
    coalesce(fsum(sales_amount), 0) AS sales_amount,
    coalesce(fsum(sales_amount), 0) / count(DISTINCT order_number) AS average_order_value
FROM lines
GROUP BY month
ORDER BY month
