-- Repeat purchases per day in the holdout period, for the calibration cohort.
-- The cohort: customers with a purchase (a customer-day with a line whose $measure value is >= 0,
-- same convention as clv_summary.sql) on or before $calibration_end. Holdout purchases are their
-- purchase days after $calibration_end up to $holdout_end (both DATEs, inclusive ends); several
-- lines of one customer on one day count once. Customers first seen in the holdout are left out.
WITH purchase_days AS (
    SELECT DISTINCT customer_id, CAST(order_date AS DATE) AS day
    FROM tx
    WHERE order_date IS NOT NULL
      AND CASE WHEN $measure = 'profit' THEN profit ELSE revenue END >= 0
      AND CAST(order_date AS DATE) <= CAST($holdout_end AS DATE)
),
cohort AS (
    SELECT DISTINCT customer_id
    FROM purchase_days
    WHERE day <= CAST($calibration_end AS DATE)
)
SELECT d.day, COUNT(*) AS purchases
FROM purchase_days d
JOIN cohort c ON c.customer_id = d.customer_id
WHERE d.day > CAST($calibration_end AS DATE)
GROUP BY d.day
ORDER BY d.day
