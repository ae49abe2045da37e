-- Native path: the per-customer figures of customers.sql (no filters) from `tx`, into the table
-- `_np_cust`, written for speed on tens of millions of rows: each part reads `tx` itself (DuckDB
-- copies a CTE, or a DISTINCT aggregate next to others, for every consumer). For each mapped
-- dimension DIM_MINMAX adds its smallest and largest value per customer: when they are equal the
-- customer's most frequent value is known without counting (native_dimension.sql counts the rest).
CREATE OR REPLACE TABLE _np_cust AS
WITH agg AS (
    SELECT
        customer_id,
        MIN(order_date) AS first_order,
        MAX(order_date) AS last_order,
        COUNT(*) AS lines,
        CAST(SUM(orders) AS BIGINT) AS orders_column,
        CAST(SUM(CAST(revenue AS BIGINT)) AS BIGINT) AS revenue,
        CAST(SUM(CAST(cost AS BIGINT)) AS BIGINT) AS cost,
        CAST(SUM(CAST(profit AS BIGINT)) AS BIGINT) AS profit,
        SUM(quantity) AS quantity,
        SUM(CASE WHEN revenue < 0 OR profit < 0 THEN 1 ELSE 0 END) AS negative_lines DIM_MINMAX
    FROM tx
    GROUP BY customer_id
),
order_keys AS (
    SELECT customer_id, COUNT(*) AS n
    FROM (
        SELECT DISTINCT customer_id, COALESCE(order_id, CAST(CAST(order_date AS DATE) AS VARCHAR)) AS order_key
        FROM tx
    ) keys
    WHERE order_key IS NOT NULL
    GROUP BY customer_id
)
SELECT agg.* EXCLUDE (orders_column),
       COALESCE(NULLIF(COALESCE(order_keys.n, 0), 0), agg.orders_column) AS orders
FROM agg
LEFT JOIN order_keys ON order_keys.customer_id = agg.customer_id
