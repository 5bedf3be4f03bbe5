-- Gold agg_sales_by_category (config/contracts/gold/agg_sales_by_category.yaml; marts.py): one
-- row per product category, subcategory, product line (n/a when unknown) and order month.
SELECT
    coalesce(p.category, 'n/a') AS category,
    coalesce(p.subcategory, 'n/a') AS subcategory,
    coalesce(p.product_line, 'n/a') AS product_line,
    order_month(f.order_date) AS month,
    count(DISTINCT f.order_number) AS orders,
    count(DISTINCT f.customer_key) AS customers,
    CAST(coalesce(sum(f.quantity), 0) AS BIGINT) AS quantity,
    coalesce(sum(f.sales_amount), 0) AS sales_amount,
    coalesce(sum(f.sales_amount), 0) / count(DISTINCT f.order_number) AS average_order_value
FROM fact_sales AS f
LEFT JOIN dim_products AS p ON p.product_key = f.product_key
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4
