-- One row per order month (YYYY-MM; 'unknown' for order lines without an order date).
WITH lines AS (
    SELECT
        coalesce(strftime(order_date, '%Y-%m'), 'unknown') AS month,
        order_number,
        customer_key,
        quantity,
        sales_amount
    FROM fact_sales
),
-- Distinct orders and customers per group as plain GROUP BYs (they spill to disk at any size;
-- count(DISTINCT ...) holds every group's distinct values in memory).
distinct_orders AS (
    SELECT month, count(*) AS orders
    FROM (SELECT DISTINCT month, order_number FROM lines WHERE order_number IS NOT NULL)
    GROUP BY month
),
distinct_customers AS (
    SELECT month, count(*) AS customers
    FROM (SELECT DISTINCT month, customer_key FROM lines WHERE customer_key IS NOT NULL)
    GROUP BY month
),
totals AS (
    SELECT
        month,
        CAST(coalesce(sum(quantity), 0) AS BIGINT) AS quantity,
        coalesce(fsum(sales_amount), 0) AS sales_amount
    FROM lines
    GROUP BY month
)
SELECT
    totals.month,
    coalesce(distinct_orders.orders, 0) AS orders,
    coalesce(distinct_customers.customers, 0) AS customers,
    totals.quantity,
    totals.sales_amount,
    totals.sales_amount / coalesce(distinct_orders.orders, 0) AS average_order_value
FROM totals
LEFT JOIN distinct_orders ON distinct_orders.month = totals.month
LEFT JOIN distinct_customers ON distinct_customers.month = totals.month
ORDER BY totals.month
