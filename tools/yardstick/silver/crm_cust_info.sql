-- Silver crm_cust_info, written by hand from config/contracts/silver/crm_cust_info.yaml.
-- In: raw_crm_cust_info (_source_row and the export's columns as text, empty lines set aside).
-- Out: crm_cust_info (the contract's columns and _source_row, in file order); the rejected rows
-- go into rejected_crm_cust_info (_source_row, _rule_id, _reason).

-- trim_values, then the row rules in contract order: missing_key, cst_id_is_int.
CREATE OR REPLACE TABLE stage_crm_cust_info AS
WITH trimmed AS (
    SELECT _source_row, strip(cst_id) AS cst_id, strip(cst_key) AS cst_key,
        strip(cst_firstname) AS cst_firstname, strip(cst_lastname) AS cst_lastname,
        strip(cst_marital_status) AS cst_marital_status, strip(cst_gndr) AS cst_gndr,
        strip(cst_create_date) AS cst_create_date
    FROM raw_crm_cust_info
)
SELECT *,
    CASE WHEN cst_id IS NULL THEN 'missing_key'
        WHEN as_int(cst_id) IS NULL THEN 'cst_id_is_int' END AS _rule_id,
    CASE WHEN cst_id IS NULL THEN 'missing key (the row has no cst_id)'
        WHEN as_int(cst_id) IS NULL THEN int_reason('cst_id', cst_id) END AS _reason
FROM trimmed;

INSERT INTO rejected_crm_cust_info
SELECT _source_row, _rule_id, _reason FROM stage_crm_cust_info WHERE _rule_id IS NOT NULL;

-- create_date (unparseable: missing), then superseded_duplicate: per cst_id the row with the
-- latest create date wins (missing dates lose, then the later source row).
CREATE OR REPLACE TABLE ranked_crm_cust_info AS
WITH typed AS (
    SELECT _source_row, as_int(cst_id) AS cst_id, cst_key, cst_firstname, cst_lastname,
        cst_marital_status, cst_gndr, as_date(cst_create_date, '%Y-%m-%d') AS cst_create_date
    FROM stage_crm_cust_info WHERE _rule_id IS NULL
)
SELECT *,
    row_number() OVER latest AS _rank,
    first_value(_source_row) OVER latest AS _winner
FROM typed
WINDOW latest AS (
    PARTITION BY cst_id ORDER BY cst_create_date DESC NULLS LAST, _source_row DESC
);

INSERT INTO rejected_crm_cust_info
SELECT _source_row, 'superseded_duplicate',
    'superseded duplicate of cst_id: the row at source row ' || _winner
    || ' is kept (latest cst_create_date)'
FROM ranked_crm_cust_info WHERE _rank > 1;

-- upper_codes, marital_status_names, gender_names (unknown and missing: n/a).
CREATE OR REPLACE TABLE crm_cust_info AS
SELECT cst_id, cst_key, cst_firstname, cst_lastname,
    CASE upper(cst_marital_status) WHEN 'S' THEN 'Single' WHEN 'M' THEN 'Married'
        ELSE 'n/a' END AS cst_marital_status,
    CASE upper(cst_gndr) WHEN 'F' THEN 'Female' WHEN 'M' THEN 'Male' ELSE 'n/a' END AS cst_gndr,
    cst_create_date, _source_row
FROM ranked_crm_cust_info WHERE _rank = 1
ORDER BY _source_row;

DROP TABLE stage_crm_cust_info;
DROP TABLE ranked_crm_cust_info;
