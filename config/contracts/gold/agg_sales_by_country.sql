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
),
-- Distinct orders and customers per group as plain GROUP BYs (they spill to disk at any size;
-- count(DISTINCT ...) holds every group's distinct values in memory).
distinct_orders AS (
    SELECT country, month, count(*) AS orders
    FROM (SELECT DISTINCT country, month, order_number FROM lines WHERE order_number IS NOT NULL)
    GROUP BY country, month
),
distinct_customers AS (
    SELECT country, month, count(*) AS customers
    FROM (SELECT DISTINCT country, month, customer_key FROM lines WHERE customer_key IS NOT NULL)
    GROUP BY country, month
),
totals AS (
    SELECT
        country, month,
        CAST(coalesce(sum(quantity), 0) AS BIGINT) AS quantity,
        coalesce(fsum(sales_amount), 0) AS sales_amount
    FROM lines
    GROUP BY country, month
)
SELECT
    totals.country, totals.month,
    coalesce(distinct_orders.orders, 0) AS orders,
    coalesce(distinct_customers.customers, 0) AS customers,
    totals.quantity,
    totals.sales_amount,
    totals.sales_amount / coalesce(distinct_orders.orders, 0) AS average_order_value
FROM totals
LEFT JOIN distinct_orders ON distinct_orders.country = totals.country AND distinct_orders.month = totals.month
LEFT JOIN distinct_customers ON distinct_customers.country = totals.country AND distinct_customers.month = totals.month
ORDER BY totals.country, totals.month
