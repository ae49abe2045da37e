-- Repeat purchases of each calibration-cohort customer in the holdout period.
-- Same conventions as clv_holdout_daily.sql: purchase = customer-day with a line whose $measure
-- value is >= 0; cohort = customers with a purchase on or before $calibration_end; holdout =
-- ($calibration_end, $holdout_end]. Every cohort customer has a row (0 when no holdout purchase).
WITH purchase_days AS (
    SELECT DISTINCT customer_id, CAST(order_date AS DATE) AS day
    FROM tx
    WHERE order_date IS NOT NULL
      AND CASE WHEN $measure = 'profit' THEN profit ELSE revenue END >= 0
      AND CAST(order_date AS DATE) <= CAST($holdout_end AS DATE)
)
SELECT customer_id,
       CAST(SUM(CASE WHEN day > CAST($calibration_end AS DATE) THEN 1 ELSE 0 END) AS BIGINT) AS holdout_x
FROM purchase_days
GROUP BY customer_id
HAVING MIN(day) <= CAST($calibration_end AS DATE)
ORDER BY customer_id
