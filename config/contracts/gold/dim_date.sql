-- One row per calendar day from the first to the last order, shipping or due date.
WITH bounds AS (
    SELECT
        least(min(order_date), min(shipping_date), min(due_date)) AS first_day,
        greatest(max(order_date), max(shipping_date), max(due_date)) AS last_day
    FROM fact_sales
),
calendar AS (
    SELECT CAST(series.day AS DATE) AS day
    FROM bounds, generate_series(first_day, last_day, INTERVAL 1 DAY) AS series (day)
)
SELECT
    year(day) * 10000 + month(day) * 100 + dayofmonth(day) AS date_key,
    day AS date,
    year(day) AS year,
    quarter(day) AS quarter,
    month(day) AS month,
    monthname(day) AS month_name,
    dayname(day) AS day_of_week,
    isodow(day) >= 6 AS is_weekend
FROM calendar
ORDER BY date
