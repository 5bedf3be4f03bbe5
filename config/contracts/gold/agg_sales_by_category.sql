-- One row per product category, subcategory, product line and order month.
--
-- The distinct orders and customers are counted over narrow keys (a number per category,
-- subcategory and product line; the month as a date), not over the texts: at 1000x the real
-- export (60M order lines, 27M orders) DuckDB spills a DISTINCT over text keys but keeps
-- memory for it outside its spillable tables, and two such DISTINCTs in one query ran out of a
-- 2 GB limit (docs/benchmarks.md, 2026-12-02). Results are the same.
WITH products AS (
    SELECT
        product_key,
        coalesce(category, 'n/a') AS category,
        coalesce(subcategory, 'n/a') AS subcategory,
        coalesce(product_line, 'n/a') AS product_line
    FROM dim_products
),
-- Each group gets a number; a line whose product is unknown falls in n/a, n/a, n/a.
product_groups AS (
    SELECT *, row_number() OVER (ORDER BY category, subcategory, product_line) AS group_id
    FROM (
        SELECT category, subcategory, product_line FROM products
        UNION
        SELECT 'n/a', 'n/a', 'n/a'
    )
),
group_of_product AS (
    SELECT products.product_key, product_groups.group_id
    FROM products JOIN product_groups USING (category, subcategory, product_line)
),
unknown_product AS (
    SELECT group_id FROM product_groups
    WHERE category = 'n/a' AND subcategory = 'n/a' AND product_line = 'n/a'
),
-- Not materialised: each count below reads the fact again rather than hold 60M lines.
lines AS NOT MATERIALIZED (
    SELECT
        coalesce(group_of_product.group_id, (SELECT group_id FROM unknown_product)) AS group_id,
        date_trunc('month', fact.order_date) AS month,
        fact.order_number,
        fact.customer_key,
        fact.quantity,
        fact.sales_amount
    FROM fact_sales AS fact
    LEFT JOIN group_of_product ON group_of_product.product_key = fact.product_key
),
distinct_orders AS (
    SELECT group_id, month, count(*) AS orders
    FROM (SELECT DISTINCT group_id, month, order_number FROM lines WHERE order_number IS NOT NULL)
    GROUP BY group_id, month
),
distinct_customers AS (
    SELECT group_id, month, count(*) AS customers
    FROM (SELECT DISTINCT group_id, month, customer_key FROM lines WHERE customer_key IS NOT NULL)
    GROUP BY group_id, month
),
totals AS (
    SELECT
        group_id, month,
        CAST(coalesce(sum(quantity), 0) AS BIGINT) AS quantity,
        coalesce(fsum(sales_amount), 0) AS sales_amount
    FROM lines
    GROUP BY group_id, month
)
SELECT
    product_groups.category,
    product_groups.subcategory,
    product_groups.product_line,
    coalesce(strftime(totals.month, '%Y-%m'), 'unknown') AS month,
    coalesce(distinct_orders.orders, 0) AS orders,
    coalesce(distinct_customers.customers, 0) AS customers,
    totals.quantity,
    totals.sales_amount,
    totals.sales_amount / coalesce(distinct_orders.orders, 0) AS average_order_value
FROM totals
JOIN product_groups USING (group_id)
LEFT JOIN distinct_orders
    ON distinct_orders.group_id = totals.group_id
    AND distinct_orders.month IS NOT DISTINCT FROM totals.month
LEFT JOIN distinct_customers
    ON distinct_customers.group_id = totals.group_id
    AND distinct_customers.month IS NOT DISTINCT FROM totals.month
ORDER BY 1, 2, 3, 4
