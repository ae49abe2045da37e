-- Observed one-period retention: of the customers who bought in ($base_start, $base_end], how many
-- bought again in ($base_end, $end]? A purchase is a line whose $measure value is >= 0 (returns
-- are not purchases). All bounds are DATEs; each period excludes its start and includes its end.
WITH purchase_days AS (
    SELECT DISTINCT customer_id, CAST(order_date AS DATE) AS day
    FROM tx
    WHERE order_date IS NOT NULL
      AND CASE WHEN $measure = 'profit' THEN profit ELSE revenue END >= 0
),
base AS (
    SELECT DISTINCT customer_id FROM purchase_days
    WHERE day > CAST($base_start AS DATE) AND day <= CAST($base_end AS DATE)
),
later AS (
    SELECT DISTINCT customer_id FROM purchase_days
    WHERE day > CAST($base_end AS DATE) AND day <= CAST($end AS DATE)
)
SELECT CAST(COUNT(*) AS BIGINT) AS base_customers,
       CAST(COUNT(l.customer_id) AS BIGINT) AS retained
FROM base b
LEFT JOIN later l ON l.customer_id = b.customer_id
