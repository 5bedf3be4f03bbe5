-- One row per product category, subcategory, product line and order month.
WITH lines AS (
    SELECT
        coalesce(products.category, 'n/a') AS category,
        coalesce(products.subcategory, 'n/a') AS subcategory,
        coalesce(products.product_line, 'n/a') AS product_line,
        coalesce(strftime(fact.order_date, '%Y-%m'), 'unknown') AS month,
        fact.order_number,
        fact.customer_key,
        fact.quantity,
        fact.sales_amount
    FROM fact_sales AS fact
    LEFT JOIN dim_products AS products ON products.product_key = fact.product_key
),
-- Distinct orders and customers per group as plain GROUP BYs (they spill to disk at any size;
-- count(DISTINCT ...) holds every group's distinct values in memory).
distinct_orders AS (
    SELECT category, subcategory, product_line, month, count(*) AS orders
    FROM (SELECT DISTINCT category, subcategory, product_line, month, order_number FROM lines WHERE order_number IS NOT NULL)
    GROUP BY category, subcategory, product_line, month
),
distinct_customers AS (
    SELECT category, subcategory, product_line, month, count(*) AS customers
    FROM (SELECT DISTINCT category, subcategory, product_line, month, customer_key FROM lines WHERE customer_key IS NOT NULL)
    GROUP BY category, subcategory, product_line, month
),
totals AS (
    SELECT
        category, subcategory, product_line, month,
        CAST(coalesce(sum(quantity), 0) AS BIGINT) AS quantity,
        coalesce(fsum(sales_amount), 0) AS sales_amount
    FROM lines
    GROUP BY category, subcategory, product_line, month
)
SELECT
    totals.category, totals.subcategory, totals.product_line, totals.month,
    coalesce(distinct_orders.orders, 0) AS orders,
    coalesce(distinct_customers.customers, 0) AS customers,
    totals.quantity,
    totals.sales_amount,
    totals.sales_amount / coalesce(distinct_orders.orders, 0) AS average_order_value
FROM totals
LEFT JOIN distinct_orders ON distinct_orders.category = totals.category AND distinct_orders.subcategory = totals.subcategory AND distinct_orders.product_line = totals.product_line AND distinct_orders.month = totals.month
LEFT JOIN distinct_customers ON distinct_customers.category = totals.category AND distinct_customers.subcategory = totals.subcategory AND distinct_customers.product_line = totals.product_line AND distinct_customers.month = totals.month
ORDER BY totals.category, totals.subcategory, totals.product_line, totals.month
