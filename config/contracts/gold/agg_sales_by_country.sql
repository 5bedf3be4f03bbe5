-- One row per customer country and order month.
WITH lines AS (
    SELECT
        coalesce(customers.country, 'n/a') AS country,
        coalesce(strftime(fact.order_date, '%Y-%m'), 'unknown') AS month,
        fact.order_number,
        fact.customer_key,
        fact.quantity,
        fact.sales_amount
    FROM fact_sales AS fact
    LEFT JOIN dim_customers AS customers ON customers.customer_key = fact.customer_key
)
SELECT
    country,
    month,
    count(DISTINCT order_number) AS orders,
    count(DISTINCT customer_key) AS customers,
    CAST(coalesce(sum(quantity), 0) AS BIGINT) AS quantity,
    coalesce(fsum(sales_amount), 0) AS sales_amount,
    coalesce(fsum(sales_amount), 0) / count(DISTINCT order_number) AS average_order_value
FROM lines
GROUP BY country, month
ORDER BY country, month
