-- Transactions -> the BG/NBD + Gamma-Gamma summary of every customer (one row per customer).
-- Conventions (Fader, Hardie & Lee 2005), stated in tierlib/clv.py and in the UI:
--   * only lines dated on or before $calibration_end (a DATE, inclusive) are used;
--   * a purchase is a customer-day with at least one line whose value ($measure: 'revenue' or
--     'profit') is >= 0; several lines/orders of one customer on one day are ONE purchase;
--     days holding only negative lines (returns, credit notes) are not purchases;
--   * the value of a purchase is the sum of its non-negative lines (returns are left out of the
--     spend model; they still count in revenue_to_date / profit_to_date, which are net);
--   * x = number of purchase days after the first one (the first purchase is not a repeat);
--     t_x = days from the first to the last purchase; T = days from the first purchase to
--     $calibration_end; both divided by $unit_days (1 = day, 7 = week, 30.4375 = month);
--   * repeat_value = summed value of the repeat purchases (money units of 1/10,000), so the
--     average repeat transaction value of the Gamma-Gamma model is repeat_value / x;
--     purchase_value = summed value of all purchases, the first one included.
-- Customers with lines up to $calibration_end but no purchase (returns only) come out with NULL
-- first_day / x / t_x / T: they are not in the model (the caller counts them).
-- Plain SQL with window functions only; DATE - DATE gives whole days (DuckDB, PostgreSQL).
WITH lines AS (
    SELECT
        customer_id,
        CAST(order_date AS DATE) AS day,
        CAST(CASE WHEN $measure = 'profit' THEN profit ELSE revenue END AS BIGINT) AS value,
        CAST(revenue AS BIGINT) AS revenue,
        CAST(profit AS BIGINT) AS profit
    FROM tx
    WHERE order_date IS NOT NULL
      AND CAST(order_date AS DATE) <= CAST($calibration_end AS DATE)
),
days AS (
    SELECT customer_id, day, SUM(value) AS value
    FROM lines
    WHERE value >= 0
    GROUP BY customer_id, day
),
ranked AS (
    SELECT customer_id, day, value,
           ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY day) AS k
    FROM days
),
purchases AS (
    SELECT customer_id,
           MIN(day) AS first_day,
           MAX(day) AS last_day,
           COUNT(*) - 1 AS x,
           SUM(CASE WHEN k > 1 THEN value ELSE 0 END) AS repeat_value,
           SUM(value) AS purchase_value
    FROM ranked
    GROUP BY customer_id
),
history AS (
    SELECT customer_id,
           SUM(revenue) AS revenue_to_date,
           SUM(profit) AS profit_to_date,
           SUM(CASE WHEN value < 0 THEN 1 ELSE 0 END) AS return_lines
    FROM lines
    GROUP BY customer_id
)
SELECT
    h.customer_id,
    p.first_day,
    p.last_day,
    CAST(p.x AS BIGINT) AS x,
    CAST(p.last_day - p.first_day AS DOUBLE) / $unit_days AS t_x,
    CAST(CAST($calibration_end AS DATE) - p.first_day AS DOUBLE) / $unit_days AS "T",
    CAST(p.repeat_value AS DOUBLE) AS repeat_value,
    CAST(p.purchase_value AS DOUBLE) AS purchase_value,
    CAST(h.revenue_to_date AS DOUBLE) AS revenue_to_date,
    CAST(h.profit_to_date AS DOUBLE) AS profit_to_date,
    CAST(h.return_lines AS BIGINT) AS return_lines
FROM history h
LEFT JOIN purchases p ON p.customer_id = h.customer_id
ORDER BY h.customer_id
