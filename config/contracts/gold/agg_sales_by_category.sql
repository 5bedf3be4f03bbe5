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
)
SELECT
    category,
    subcategory,
    product_line,
    month,
    count(DISTINCT order_number) AS orders,
    count(DISTINCT customer_key) AS customers,
    CAST(coalesce(sum(quantity), 0) AS BIGINT) AS quantity,
    coalesce(fsum(sales_amount), 0) AS sales_amount,
    coalesce(fsum(sales_amount), 0) / count(DISTINCT order_number) AS average_order_value
FROM lines
GROUP BY category, subcategory, product_line, month
ORDER BY category, subcategory, product_line, month
