-- The Silver checks of config/contracts/silver/*.yaml, by hand: one column per check, named
-- "<severity> <check id>" (the pipeline's ids), holding the number of rows that fail it (for
-- row_count: 1 when the table has too few rows). Missing values pass every check but not_null.

CREATE OR REPLACE TABLE checks_silver AS
UNPIVOT (
    SELECT 'crm_cust_info' AS table_name,
        count(*) FILTER (cst_id IS NULL OR cst_key IS NULL) AS "error not_null_cst_id_cst_key",
        count(*) FILTER (cst_id IN (SELECT cst_id FROM crm_cust_info GROUP BY ALL HAVING count(*) > 1)) AS "error unique_cst_id",
        count(*) FILTER (cst_key IN (SELECT cst_key FROM crm_cust_info GROUP BY ALL HAVING count(*) > 1)) AS "error unique_cst_key",
        count(*) FILTER (stray(cst_key) OR stray(cst_firstname) OR stray(cst_lastname)) AS "error no_stray_spaces_cst_key_cst_firstname_cst_lastname",
        count(*) FILTER (cst_marital_status NOT IN ('Single', 'Married', 'n/a')) AS "error accepted_values_cst_marital_status",
        count(*) FILTER (cst_gndr NOT IN ('Female', 'Male', 'n/a')) AS "error accepted_values_cst_gndr",
        count(*) FILTER (NOT regexp_full_match(cst_key, 'AW\d{8}')) AS "warn regex_cst_key",
        (count(*) < 1)::BIGINT AS "error row_count"
    FROM crm_cust_info
) ON COLUMNS(* EXCLUDE (table_name)) INTO NAME check_name VALUE failing_rows;

INSERT INTO checks_silver
UNPIVOT (
    SELECT 'crm_prd_info' AS table_name,
        count(*) FILTER (prd_id IS NULL OR cat_id IS NULL OR prd_key IS NULL OR prd_start_dt IS NULL) AS "error not_null_prd_id_cat_id_prd_key_prd_start_dt",
        count(*) FILTER (prd_id IN (SELECT prd_id FROM crm_prd_info GROUP BY ALL HAVING count(*) > 1)) AS "error unique_prd_id",
        count(*) FILTER ((prd_key, prd_start_dt) IN (SELECT (prd_key, prd_start_dt) FROM crm_prd_info WHERE prd_key IS NOT NULL AND prd_start_dt IS NOT NULL GROUP BY ALL HAVING count(*) > 1)) AS "error unique_prd_key_prd_start_dt",
        count(*) FILTER (stray(cat_id) OR stray(prd_key) OR stray(prd_nm) OR stray(prd_line)) AS "error no_stray_spaces_cat_id_prd_key_prd_nm_prd_line",
        count(*) FILTER (prd_line NOT IN ('Mountain', 'Road', 'Other Sales', 'Touring', 'n/a')) AS "error accepted_values_prd_line",
        count(*) FILTER (NOT prd_cost >= 0) AS "error range_prd_cost",
        count(*) FILTER (NOT prd_end_dt >= prd_start_dt) AS "error end_not_before_start",
        count(*) FILTER (NOT regexp_full_match(cat_id, '[A-Z]{2}_[A-Z]{2}')) AS "warn regex_cat_id",
        (count(*) < 1)::BIGINT AS "error row_count"
    FROM crm_prd_info
) ON COLUMNS(* EXCLUDE (table_name)) INTO NAME check_name VALUE failing_rows;

INSERT INTO checks_silver
UNPIVOT (
    SELECT 'crm_sales_details' AS table_name,
        count(*) FILTER (sls_ord_num IS NULL OR sls_prd_key IS NULL OR sls_cust_id IS NULL OR sls_sales IS NULL OR sls_quantity IS NULL OR sls_price IS NULL) AS "error not_null_sls_ord_num_sls_prd_key_sls_cust_id_sls_sales_sls_quantity_sls_price",
        count(*) FILTER (stray(sls_ord_num) OR stray(sls_prd_key)) AS "error no_stray_spaces_sls_ord_num_sls_prd_key",
        count(*) FILTER (NOT sls_order_dt <= sls_ship_dt) AS "error order_not_after_ship",
        count(*) FILTER (NOT sls_order_dt <= sls_due_dt) AS "error order_not_after_due",
        count(*) FILTER (NOT close(sls_sales, sls_quantity * sls_price)) AS "error sales_is_quantity_times_price",
        count(*) FILTER (NOT sls_sales > 0) AS "error range_sls_sales",
        count(*) FILTER (NOT sls_quantity > 0) AS "error range_sls_quantity",
        count(*) FILTER (NOT sls_price > 0) AS "error range_sls_price",
        count(*) FILTER (sls_order_dt IS NULL) AS "warn not_null_sls_order_dt",
        count(*) FILTER (NOT regexp_full_match(sls_ord_num, 'SO\d+')) AS "warn regex_sls_ord_num",
        (count(*) < 1)::BIGINT AS "error row_count"
    FROM crm_sales_details
) ON COLUMNS(* EXCLUDE (table_name)) INTO NAME check_name VALUE failing_rows;

INSERT INTO checks_silver
UNPIVOT (
    SELECT 'erp_cust_az12' AS table_name,
        count(*) FILTER (cid IS NULL) AS "error not_null_cid",
        count(*) FILTER (cid IN (SELECT cid FROM erp_cust_az12 GROUP BY ALL HAVING count(*) > 1)) AS "error unique_cid",
        count(*) FILTER (stray(cid)) AS "error no_stray_spaces_cid",
        count(*) FILTER (gen NOT IN ('Female', 'Male', 'n/a')) AS "error accepted_values_gen",
        count(*) FILTER (NOT bdate >= DATE '1925-01-01') AS "warn birthdate_plausible",
        count(*) FILTER (NOT regexp_full_match(cid, 'AW\d{8}')) AS "warn regex_cid",
        (count(*) < 1)::BIGINT AS "error row_count"
    FROM erp_cust_az12
) ON COLUMNS(* EXCLUDE (table_name)) INTO NAME check_name VALUE failing_rows;

INSERT INTO checks_silver
UNPIVOT (
    SELECT 'erp_loc_a101' AS table_name,
        count(*) FILTER (cid IS NULL OR cntry IS NULL) AS "error not_null_cid_cntry",
        count(*) FILTER (cid IN (SELECT cid FROM erp_loc_a101 GROUP BY ALL HAVING count(*) > 1)) AS "error unique_cid",
        count(*) FILTER (stray(cid) OR stray(cntry)) AS "error no_stray_spaces_cid_cntry",
        count(*) FILTER (NOT regexp_full_match(cid, 'AW\d{8}')) AS "warn regex_cid",
        count(*) FILTER (cntry NOT IN ('Australia', 'Canada', 'France', 'Germany', 'United Kingdom', 'United States', 'n/a')) AS "warn accepted_values_cntry",
        (count(*) < 1)::BIGINT AS "error row_count"
    FROM erp_loc_a101
) ON COLUMNS(* EXCLUDE (table_name)) INTO NAME check_name VALUE failing_rows;

INSERT INTO checks_silver
UNPIVOT (
    SELECT 'erp_px_cat_g1v2' AS table_name,
        count(*) FILTER (id IS NULL OR cat IS NULL OR subcat IS NULL OR maintenance IS NULL) AS "error not_null_id_cat_subcat_maintenance",
        count(*) FILTER (id IN (SELECT id FROM erp_px_cat_g1v2 GROUP BY ALL HAVING count(*) > 1)) AS "error unique_id",
        count(*) FILTER (stray(id) OR stray(cat) OR stray(subcat) OR stray(maintenance)) AS "error no_stray_spaces_id_cat_subcat_maintenance",
        count(*) FILTER (maintenance NOT IN ('Yes', 'No')) AS "error accepted_values_maintenance",
        count(*) FILTER (NOT regexp_full_match(id, '[A-Z]{2}_[A-Z]{2}')) AS "error regex_id",
        (count(*) < 1)::BIGINT AS "error row_count"
    FROM erp_px_cat_g1v2
) ON COLUMNS(* EXCLUDE (table_name)) INTO NAME check_name VALUE failing_rows;
