-- Silver crm_prd_info, written by hand from config/contracts/silver/crm_prd_info.yaml and the
-- named functions end_date_from_next_start and split_product_key.
-- In: raw_crm_prd_info. Out: crm_prd_info; rejected rows into rejected_crm_prd_info.

-- trim_values, then prd_id_is_int and start_date (an unparseable start date is rejected).
CREATE OR REPLACE TABLE stage_crm_prd_info AS
WITH trimmed AS (
    SELECT _source_row, strip(prd_id) AS prd_id, strip(prd_key) AS prd_key,
        strip(prd_nm) AS prd_nm, strip(prd_cost) AS prd_cost, strip(prd_line) AS prd_line,
        strip(prd_start_dt) AS prd_start_dt
    FROM raw_crm_prd_info
)
SELECT *,
    CASE WHEN prd_id IS NOT NULL AND as_int(prd_id) IS NULL THEN 'prd_id_is_int'
        WHEN prd_start_dt IS NOT NULL AND as_date(prd_start_dt, '%Y-%m-%d') IS NULL
        THEN 'start_date' END AS _rule_id,
    CASE WHEN prd_id IS NOT NULL AND as_int(prd_id) IS NULL THEN int_reason('prd_id', prd_id)
        WHEN prd_start_dt IS NOT NULL AND as_date(prd_start_dt, '%Y-%m-%d') IS NULL
        THEN 'prd_start_dt: ''' || prd_start_dt || ''' is not a valid date in format %Y-%m-%d'
        END AS _reason
FROM trimmed;

INSERT INTO rejected_crm_prd_info
SELECT _source_row, _rule_id, _reason FROM stage_crm_prd_info WHERE _rule_id IS NOT NULL;

-- end_date_from_next_start (per source prd_key: the next version's start minus one day, the
-- source end date ignored), split_product_key, cost_missing_is_zero; then prd_cost_is_int.
CREATE OR REPLACE TABLE versions_crm_prd_info AS
SELECT _source_row, as_int(prd_id) AS prd_id,
    replace(substr(prd_key, 1, 5), '-', '_') AS cat_id,
    substr(prd_key, 7) AS prd_key,
    prd_nm, coalesce(prd_cost, '0') AS prd_cost, prd_line,
    as_date(prd_start_dt, '%Y-%m-%d') AS prd_start_dt,
    -- (prd_key and prd_start_dt in the window are the source columns, not the aliases above)
    lead(as_date(prd_start_dt, '%Y-%m-%d')) OVER (
        PARTITION BY prd_key ORDER BY as_date(prd_start_dt, '%Y-%m-%d') NULLS LAST, _source_row
    ) - 1 AS prd_end_dt
FROM stage_crm_prd_info WHERE _rule_id IS NULL;

INSERT INTO rejected_crm_prd_info
SELECT _source_row, 'prd_cost_is_int', int_reason('prd_cost', prd_cost)
FROM versions_crm_prd_info WHERE as_int(prd_cost) IS NULL;

-- upper_line, product_line_names.
CREATE OR REPLACE TABLE crm_prd_info AS
SELECT prd_id, cat_id, prd_key, prd_nm, as_int(prd_cost) AS prd_cost,
    CASE upper(prd_line) WHEN 'M' THEN 'Mountain' WHEN 'R' THEN 'Road'
        WHEN 'S' THEN 'Other Sales' WHEN 'T' THEN 'Touring' ELSE 'n/a' END AS prd_line,
    prd_start_dt, prd_end_dt, _source_row
FROM versions_crm_prd_info WHERE as_int(prd_cost) IS NOT NULL
ORDER BY _source_row;

DROP TABLE stage_crm_prd_info;
DROP TABLE versions_crm_prd_info;
