-- Silver erp_loc_a101, written by hand from config/contracts/silver/erp_loc_a101.yaml and the
-- named function remove_characters. In: raw_erp_loc_a101. Out: erp_loc_a101 (no rejects).

CREATE OR REPLACE TABLE erp_loc_a101 AS
SELECT
    -- trim_values, remove_dashes
    replace(strip(cid), '-', '') AS cid,
    -- trim_values, country_names (other spellings stay as they are; missing: n/a)
    CASE strip(cntry) WHEN 'DE' THEN 'Germany' WHEN 'US' THEN 'United States'
        WHEN 'USA' THEN 'United States' ELSE coalesce(strip(cntry), 'n/a') END AS cntry,
    _source_row
FROM raw_erp_loc_a101
ORDER BY _source_row;
