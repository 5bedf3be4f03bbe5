-- Silver erp_cust_az12, written by hand from config/contracts/silver/erp_cust_az12.yaml and the
-- named functions strip_prefix and null_dates_after_ingestion.
-- In: raw_erp_cust_az12 and the variable ingestion_date (the run's date). Out: erp_cust_az12.
-- No rule rejects a row here.

CREATE OR REPLACE TABLE erp_cust_az12 AS
WITH trimmed AS (
    SELECT _source_row, strip(cid) AS cid, strip(bdate) AS bdate, strip(gen) AS gen
    FROM raw_erp_cust_az12
),
cleaned AS (
    SELECT _source_row,
        -- strip_nas_prefix
        CASE WHEN starts_with(cid, 'NAS') THEN substr(cid, 4) ELSE cid END AS cid,
        -- birthdate (unparseable: missing)
        as_date(bdate, '%Y-%m-%d') AS bdate,
        gen
    FROM trimmed
)
SELECT cid,
    -- no_future_birthdates
    CASE WHEN bdate > getvariable('ingestion_date') THEN NULL ELSE bdate END AS bdate,
    -- upper_gender, gender_names
    CASE upper(gen) WHEN 'F' THEN 'Female' WHEN 'FEMALE' THEN 'Female'
        WHEN 'M' THEN 'Male' WHEN 'MALE' THEN 'Male' ELSE 'n/a' END AS gen,
    _source_row
FROM cleaned
ORDER BY _source_row;
