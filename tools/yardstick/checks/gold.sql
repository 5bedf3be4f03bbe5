-- The Gold checks of config/contracts/gold/*.yaml, by hand, like checks/silver.sql.

CREATE OR REPLACE TABLE checks_gold AS
UNPIVOT (
    SELECT 'dim_customers' AS table_name,
        count(*) FILTER (customer_key IS NULL OR customer_id IS NULL OR customer_number IS NULL) AS "error not_null_customer_key_customer_id_customer_number",
        count(*) FILTER (customer_key IN (SELECT customer_key FROM dim_customers GROUP BY ALL HAVING count(*) > 1)) AS "error unique_customer_key",
        count(*) FILTER (customer_id IN (SELECT customer_id FROM dim_customers GROUP BY ALL HAVING count(*) > 1)) AS "error unique_customer_id",
        count(*) FILTER (gender NOT IN ('Female', 'Male', 'n/a')) AS "error accepted_values_gender",
        count(*) FILTER (marital_status NOT IN ('Single', 'Married', 'n/a')) AS "error accepted_values_marital_status",
        count(*) FILTER (country NOT IN ('Australia', 'Canada', 'France', 'Germany', 'United Kingdom', 'United States')) AS "warn customers_without_country",
        (count(*) < 1)::BIGINT AS "error row_count"
    FROM dim_customers
) ON COLUMNS(* EXCLUDE (table_name)) INTO NAME check_name VALUE failing_rows;

INSERT INTO checks_gold
UNPIVOT (
    SELECT 'dim_products' AS table_name,
        count(*) FILTER (product_key IS NULL OR product_id IS NULL OR product_number IS NULL) AS "error not_null_product_key_product_id_product_number",
        count(*) FILTER (product_key IN (SELECT product_key FROM dim_products GROUP BY ALL HAVING count(*) > 1)) AS "error unique_product_key",
        count(*) FILTER (product_number IN (SELECT product_number FROM dim_products GROUP BY ALL HAVING count(*) > 1)) AS "error unique_product_number",
        count(*) FILTER (product_line NOT IN ('Mountain', 'Road', 'Other Sales', 'Touring', 'n/a')) AS "error accepted_values_product_line",
        count(*) FILTER (category IS NULL) AS "warn products_without_category",
        count(*) FILTER (NOT cost >= 0) AS "error range_cost",
        (count(*) < 1)::BIGINT AS "error row_count"
    FROM dim_products
) ON COLUMNS(* EXCLUDE (table_name)) INTO NAME check_name VALUE failing_rows;

INSERT INTO checks_gold
UNPIVOT (
    SELECT 'fact_sales' AS table_name,
        count(*) FILTER (order_number IS NULL OR product_key IS NULL OR customer_key IS NULL) AS "error not_null_order_number_product_key_customer_key",
        count(*) FILTER (product_key NOT IN (SELECT product_key FROM dim_products WHERE product_key IS NOT NULL)) AS "error product_exists",
        count(*) FILTER (customer_key NOT IN (SELECT customer_key FROM dim_customers WHERE customer_key IS NOT NULL)) AS "error customer_exists",
        count(*) FILTER (NOT close(sales_amount, quantity * price)) AS "error sales_is_quantity_times_price",
        count(*) FILTER (NOT sales_amount > 0) AS "error range_sales_amount",
        count(*) FILTER (NOT quantity > 0) AS "error range_quantity",
        count(*) FILTER (NOT order_date <= shipping_date) AS "error order_not_after_shipping",
        count(*) FILTER (order_date IS NULL) AS "warn lines_without_order_date",
        (count(*) < 1)::BIGINT AS "error row_count"
    FROM fact_sales
) ON COLUMNS(* EXCLUDE (table_name)) INTO NAME check_name VALUE failing_rows;

INSERT INTO checks_gold
UNPIVOT (
    SELECT 'dim_date' AS table_name,
        count(*) FILTER (date_key IS NULL OR date IS NULL OR year IS NULL OR quarter IS NULL OR month IS NULL OR month_name IS NULL OR day_of_week IS NULL OR is_weekend IS NULL) AS "error not_null_date_key_date_year_quarter_month_month_name_day_of_week_is_weekend",
        count(*) FILTER (date_key IN (SELECT date_key FROM dim_date GROUP BY ALL HAVING count(*) > 1)) AS "error unique_date_key",
        count(*) FILTER (date IN (SELECT date FROM dim_date GROUP BY ALL HAVING count(*) > 1)) AS "error unique_date",
        count(*) FILTER (NOT quarter BETWEEN 1 AND 4) AS "error range_quarter",
        count(*) FILTER (NOT month BETWEEN 1 AND 12) AS "error range_month",
        count(*) FILTER (day_of_week NOT IN ('Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday')) AS "error accepted_values_day_of_week",
        (count(*) < 1)::BIGINT AS "error row_count"
    FROM dim_date
) ON COLUMNS(* EXCLUDE (table_name)) INTO NAME check_name VALUE failing_rows;

INSERT INTO checks_gold
UNPIVOT (
    SELECT 'agg_sales_monthly' AS table_name,
        count(*) FILTER (month IS NULL) AS "error not_null_month",
        count(*) FILTER (month IN (SELECT month FROM agg_sales_monthly GROUP BY ALL HAVING count(*) > 1)) AS "error unique_month",
        count(*) FILTER (NOT regexp_full_match(month, '\d{4}-\d{2}|unknown')) AS "error regex_month",
        count(*) FILTER (NOT orders >= 1) AS "error range_orders",
        sums_differ(coalesce(sum(sales_amount), 0)::DOUBLE, (SELECT coalesce(sum(sales_amount), 0)::DOUBLE FROM fact_sales))::BIGINT AS "error sales_reconcile_to_fact",
        sums_differ(coalesce(sum(quantity), 0)::DOUBLE, (SELECT coalesce(sum(quantity), 0)::DOUBLE FROM fact_sales))::BIGINT AS "error quantity_reconciles_to_fact",
        (count(*) < 1)::BIGINT AS "error row_count"
    FROM agg_sales_monthly
) ON COLUMNS(* EXCLUDE (table_name)) INTO NAME check_name VALUE failing_rows;

INSERT INTO checks_gold
UNPIVOT (
    SELECT 'agg_sales_by_country' AS table_name,
        count(*) FILTER (country IS NULL OR month IS NULL) AS "error not_null_country_month",
        count(*) FILTER ((country, month) IN (SELECT (country, month) FROM agg_sales_by_country WHERE country IS NOT NULL AND month IS NOT NULL GROUP BY ALL HAVING count(*) > 1)) AS "error unique_country_month",
        count(*) FILTER (NOT regexp_full_match(month, '\d{4}-\d{2}|unknown')) AS "error regex_month",
        count(*) FILTER (NOT orders >= 1) AS "error range_orders",
        sums_differ(coalesce(sum(sales_amount), 0)::DOUBLE, (SELECT coalesce(sum(sales_amount), 0)::DOUBLE FROM fact_sales))::BIGINT AS "error sales_reconcile_to_fact",
        sums_differ(coalesce(sum(quantity), 0)::DOUBLE, (SELECT coalesce(sum(quantity), 0)::DOUBLE FROM fact_sales))::BIGINT AS "error quantity_reconciles_to_fact",
        (count(*) < 1)::BIGINT AS "error row_count"
    FROM agg_sales_by_country
) ON COLUMNS(* EXCLUDE (table_name)) INTO NAME check_name VALUE failing_rows;

INSERT INTO checks_gold
UNPIVOT (
    SELECT 'agg_sales_by_category' AS table_name,
        count(*) FILTER (category IS NULL OR subcategory IS NULL OR product_line IS NULL OR month IS NULL) AS "error not_null_category_subcategory_product_line_month",
        count(*) FILTER ((category, subcategory, product_line, month) IN (SELECT (category, subcategory, product_line, month) FROM agg_sales_by_category WHERE category IS NOT NULL AND subcategory IS NOT NULL AND product_line IS NOT NULL AND month IS NOT NULL GROUP BY ALL HAVING count(*) > 1)) AS "error unique_category_subcategory_product_line_month",
        count(*) FILTER (NOT regexp_full_match(month, '\d{4}-\d{2}|unknown')) AS "error regex_month",
        count(*) FILTER (NOT orders >= 1) AS "error range_orders",
        sums_differ(coalesce(sum(sales_amount), 0)::DOUBLE, (SELECT coalesce(sum(sales_amount), 0)::DOUBLE FROM fact_sales))::BIGINT AS "error sales_reconcile_to_fact",
        sums_differ(coalesce(sum(quantity), 0)::DOUBLE, (SELECT coalesce(sum(quantity), 0)::DOUBLE FROM fact_sales))::BIGINT AS "error quantity_reconciles_to_fact",
        (count(*) < 1)::BIGINT AS "error row_count"
    FROM agg_sales_by_category
) ON COLUMNS(* EXCLUDE (table_name)) INTO NAME check_name VALUE failing_rows;
