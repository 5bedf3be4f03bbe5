-- One row per CRM customer, enriched with the ERP birthdate, gender fallback and country.
-- customer_key numbers the customers 1..n by customer_id (ties: in Silver row order).
SELECT
    row_number() OVER (
        ORDER BY crm.cst_id NULLS LAST, crm._source_row, erp._source_row, loc._source_row
    ) AS customer_key,
    crm.cst_id AS customer_id,
    crm.cst_key AS customer_number,
    crm.cst_firstname AS first_name,
    crm.cst_lastname AS last_name,
    coalesce(loc.cntry, 'n/a') AS country,
    crm.cst_marital_status AS marital_status,
    CASE
        WHEN crm.cst_gndr <> 'n/a' THEN crm.cst_gndr
        ELSE coalesce(erp.gen, 'n/a')
    END AS gender,
    erp.bdate AS birthdate,
    crm.cst_create_date AS create_date
FROM crm_cust_info AS crm
LEFT JOIN erp_cust_az12 AS erp ON erp.cid = crm.cst_key
LEFT JOIN erp_loc_a101 AS loc ON loc.cid = crm.cst_key
ORDER BY customer_key
