-- Relationship breadth per calendar month or quarter: new, retained, won-back and lost customers.
-- Input: `tx`. A customer is active in a period when it has at least one row dated in it.
-- Bound parameters: $end (timestamp, exclusive: the day after the as-of date) and $grain
-- ('month' or 'quarter'). Periods are numbered p = year*12 + month-1 (or year*4 + quarter-1).
-- In period p an active customer is
--   new       when it has no earlier active period,
--   retained  when it was also active in p-1,
--   won_back  when it was active before, but not in p-1 (it came back after a period with no order);
-- a customer is lost in p when it was active in p-1 and not in p (counted up to the last period).
-- Invariant: active(p-1) = retained(p) + lost(p). Periods with no event are not returned.
WITH active AS (
    SELECT DISTINCT
        customer_id,
        CASE WHEN $grain = 'quarter'
             THEN CAST(EXTRACT(YEAR FROM order_date) AS BIGINT) * 4
                  + CAST(FLOOR((EXTRACT(MONTH FROM order_date) - 1) / 3.0) AS BIGINT)
             ELSE CAST(EXTRACT(YEAR FROM order_date) AS BIGINT) * 12
                  + CAST(EXTRACT(MONTH FROM order_date) AS BIGINT) - 1
        END AS p
    FROM tx
    WHERE order_date IS NOT NULL
      AND order_date < $end
),
seq AS (
    SELECT
        customer_id,
        p,
        LAG(p) OVER (PARTITION BY customer_id ORDER BY p) AS prev_p,
        LEAD(p) OVER (PARTITION BY customer_id ORDER BY p) AS next_p
    FROM active
),
last_period AS (
    SELECT MAX(p) AS last_p FROM active
),
events AS (
    SELECT p,
           CASE WHEN prev_p IS NULL THEN 'new'
                WHEN prev_p = p - 1 THEN 'retained'
                ELSE 'won_back' END AS kind
    FROM seq
    UNION ALL
    SELECT s.p + 1 AS p, 'lost' AS kind
    FROM seq s
    CROSS JOIN last_period l
    WHERE (s.next_p IS NULL OR s.next_p > s.p + 1)
      AND s.p + 1 <= l.last_p
)
SELECT
    p,
    SUM(CASE WHEN kind = 'new' THEN 1 ELSE 0 END) AS new,
    SUM(CASE WHEN kind = 'retained' THEN 1 ELSE 0 END) AS retained,
    SUM(CASE WHEN kind = 'won_back' THEN 1 ELSE 0 END) AS won_back,
    SUM(CASE WHEN kind = 'lost' THEN 1 ELSE 0 END) AS lost
FROM events
GROUP BY p
ORDER BY p
