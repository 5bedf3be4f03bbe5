-- Gold dim_date (config/contracts/gold/dim_date.yaml; marts.py dim_date): one row per day from
-- the first to the last order, shipping or due date.
WITH bounds AS (
    SELECT
        least(min(order_date), min(shipping_date), min(due_date)) AS first_day,
        greatest(max(order_date), max(shipping_date), max(due_date)) AS last_day
    FROM fact_sales
),
days AS (
    SELECT first_day + CAST(i AS INTEGER) AS d
    FROM bounds, range(last_day - first_day + 1) AS r(i)
)
SELECT
    year(d) * 10000 + month(d) * 100 + day(d) AS date_key,
    d AS date,
    year(d) AS year,
    quarter(d) AS quarter,
    month(d) AS month,
    monthname(d) AS month_name,
    dayname(d) AS day_of_week,
    isodow(d) >= 6 AS is_weekend
FROM days
ORDER BY d
