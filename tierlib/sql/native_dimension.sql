-- Native path: the most frequent non-empty value of dimension DIM per customer (ties: the smallest,
-- as customers.sql's ROW_NUMBER rule: the minimum of (-count, value)), into `_np_top_DIM`, for the
-- customers whose values differ (DIM_min <> DIM_max in `_np_cust`); ONLY_MIXED restricts the
-- counting to those customers when they are few.
CREATE OR REPLACE TABLE _np_top_DIM AS
SELECT customer_id, MIN(struct_pack(k := -n, v := val)).v AS val
FROM (
    SELECT customer_id, DIM AS val, COUNT(*) AS n
    FROM tx
    WHERE DIM IS NOT NULL ONLY_MIXED
    GROUP BY customer_id, DIM
) counts
GROUP BY customer_id
