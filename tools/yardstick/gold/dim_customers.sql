-- Gold dim_customers (config/contracts/gold/dim_customers.yaml; marts.py dim_customers): one row
-- per CRM customer with ERP birthdate, gender fallback and country; customer_key 1..n by id.
SELECT
    row_number() OVER (ORDER BY c.cst_id NULLS LAST, c._source_row) AS customer_key,
    c.cst_id AS customer_id,
    c.cst_key AS customer_number,
    c.cst_firstname AS first_name,
    c.cst_lastname AS last_name,
    coalesce(l.cntry, 'n/a') AS country,
    c.cst_marital_status AS marital_status,
    CASE WHEN c.cst_gndr IS NOT NULL AND c.cst_gndr <> 'n/a' THEN c.cst_gndr
        ELSE coalesce(a.gen, 'n/a') END AS gender,
    a.bdate AS birthdate,
    c.cst_create_date AS create_date
FROM crm_cust_info AS c
LEFT JOIN erp_cust_az12 AS a ON a.cid = c.cst_key
LEFT JOIN erp_loc_a101 AS l ON l.cid = c.cst_key
ORDER BY customer_key
