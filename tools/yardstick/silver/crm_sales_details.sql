-- Silver crm_sales_details, written by hand from config/contracts/silver/crm_sales_details.yaml
-- and the named function reconcile_sales_price.
-- In: raw_crm_sales_details. Out: crm_sales_details; rejected rows into
-- rejected_crm_sales_details.

-- trim_values; order/ship/due dates (yyyymmdd, exactly 8 digits, else missing); the casts:
-- cust_id_is_int and quantity_is_int reject, sales_is_number and price_is_number make missing.
CREATE OR REPLACE TABLE stage_crm_sales_details AS
WITH trimmed AS (
    SELECT _source_row, strip(sls_ord_num) AS sls_ord_num, strip(sls_prd_key) AS sls_prd_key,
        strip(sls_cust_id) AS sls_cust_id, strip(sls_order_dt) AS sls_order_dt,
        strip(sls_ship_dt) AS sls_ship_dt, strip(sls_due_dt) AS sls_due_dt,
        strip(sls_sales) AS sls_sales, strip(sls_quantity) AS sls_quantity,
        strip(sls_price) AS sls_price
    FROM raw_crm_sales_details
)
SELECT _source_row, sls_ord_num, sls_prd_key,
    as_int(sls_cust_id) AS sls_cust_id,
    as_yyyymmdd(sls_order_dt) AS sls_order_dt,
    as_yyyymmdd(sls_ship_dt) AS sls_ship_dt,
    as_yyyymmdd(sls_due_dt) AS sls_due_dt,
    as_number(sls_sales) AS sls_sales,
    as_int(sls_quantity) AS sls_quantity,
    as_number(sls_price) AS sls_price,
    CASE WHEN sls_cust_id IS NOT NULL AND as_int(sls_cust_id) IS NULL THEN 'cust_id_is_int'
        WHEN sls_quantity IS NOT NULL AND as_int(sls_quantity) IS NULL THEN 'quantity_is_int'
        END AS _rule_id,
    CASE WHEN sls_cust_id IS NOT NULL AND as_int(sls_cust_id) IS NULL
        THEN int_reason('sls_cust_id', sls_cust_id)
        WHEN sls_quantity IS NOT NULL AND as_int(sls_quantity) IS NULL
        THEN int_reason('sls_quantity', sls_quantity) END AS _reason
FROM trimmed;

INSERT INTO rejected_crm_sales_details
SELECT _source_row, _rule_id, _reason FROM stage_crm_sales_details WHERE _rule_id IS NOT NULL;

-- reconcile_sales_price: sales missing, <= 0 or not quantity x |price| become quantity x
-- |price| (a price of 0 gives none); a price missing or <= 0 becomes the source sales /
-- quantity (none for a quantity of 0).
CREATE OR REPLACE TABLE crm_sales_details AS
SELECT sls_ord_num, sls_prd_key, sls_cust_id, sls_order_dt, sls_ship_dt, sls_due_dt,
    CASE WHEN sls_sales IS NULL OR sls_sales <= 0
            OR coalesce(sls_sales <> sls_quantity * abs(nullif(sls_price, 0)), false)
        THEN sls_quantity * abs(nullif(sls_price, 0))
        ELSE sls_sales END AS sls_sales,
    sls_quantity,
    CASE WHEN sls_price IS NULL OR sls_price <= 0
        THEN sls_sales / nullif(sls_quantity, 0)
        ELSE sls_price END AS sls_price,
    _source_row
FROM stage_crm_sales_details WHERE _rule_id IS NULL
ORDER BY _source_row;

DROP TABLE stage_crm_sales_details;
