-- Per-customer order history up to the as-of date, for lifecycle stages and churn warning.
-- Input: `tx` (canonical fields; money BIGINT units of 1/10,000). Rows without an order date
-- are left out. An order day is a distinct calendar day with at least one row of the customer;
-- an order is a distinct order id, else a distinct order day (as in customers.sql); an order
-- counts in a period when any of its rows is dated in it.
-- Bound parameters (timestamps at midnight; every window is [start, end)):
--   $end           the day after the as-of date (orders from $end on are ignored)
--   $recent_start  start of the latest period  = $end - period
--   $prev_start    start of the previous equal period = $end - 2 x period
--   $year_start    start of the 12 months before as-of (value at risk)
-- Output, one row per customer: order days, orders, first/last order day, median and last gap
-- between order days (days; NULL with one order day), orders/revenue/profit in the latest and
-- the previous period and in the last 12 months, totals, and counts of rows with known
-- revenue/profit. No DISTINCT aggregate: the rows are grouped once by order (for the order
-- counts and the sums) and once by order day (for the gaps, one narrow window pass).
-- Portable SQL: GROUP BY, a window function (LAG), PERCENTILE_CONT ... WITHIN GROUP,
-- date minus date = whole days.
WITH rows_in AS (
    SELECT customer_id, order_id, order_date, CAST(order_date AS DATE) AS day, revenue, profit
    FROM tx
    WHERE order_date IS NOT NULL
      AND order_date < $end
),
orders AS (
    -- one row per order: an order id, else an order day; it counts in a period when any of its
    -- rows is dated in it
    SELECT
        customer_id,
        MAX(CASE WHEN order_date >= $recent_start THEN 1 ELSE 0 END) AS in_recent,
        MAX(CASE WHEN order_date >= $prev_start AND order_date < $recent_start THEN 1 ELSE 0 END) AS in_previous,
        CAST(SUM(CASE WHEN order_date >= $recent_start THEN revenue ELSE 0 END) AS BIGINT) AS revenue_recent,
        CAST(SUM(CASE WHEN order_date >= $prev_start AND order_date < $recent_start
                      THEN revenue ELSE 0 END) AS BIGINT) AS revenue_previous,
        CAST(SUM(CASE WHEN order_date >= $recent_start THEN profit ELSE 0 END) AS BIGINT) AS profit_recent,
        CAST(SUM(CASE WHEN order_date >= $prev_start AND order_date < $recent_start
                      THEN profit ELSE 0 END) AS BIGINT) AS profit_previous,
        CAST(SUM(CASE WHEN order_date >= $year_start THEN revenue ELSE 0 END) AS BIGINT) AS revenue_12m,
        CAST(SUM(CASE WHEN order_date >= $year_start THEN profit ELSE 0 END) AS BIGINT) AS profit_12m,
        CAST(SUM(revenue) AS BIGINT) AS revenue,
        CAST(SUM(profit) AS BIGINT) AS profit,
        COUNT(revenue) AS revenue_rows,
        COUNT(profit) AS profit_rows
    FROM rows_in
    GROUP BY customer_id, order_id, CASE WHEN order_id IS NULL THEN day END
),
days AS (
    SELECT customer_id, day FROM rows_in GROUP BY customer_id, day
),
gaps AS (
    SELECT customer_id, day, LAG(day) OVER (PARTITION BY customer_id ORDER BY day) AS prev_day
    FROM days
),
gap_stats AS (
    -- the last gap is the last day minus the latest previous day (previous days grow with the day)
    SELECT
        customer_id,
        COUNT(*) AS order_days,
        MIN(day) AS first_day,
        MAX(day) AS last_day,
        PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY day - prev_day) AS median_gap,
        MAX(day) - MAX(prev_day) AS last_gap
    FROM gaps
    GROUP BY customer_id
),
per_customer AS (
    SELECT
        customer_id,
        COUNT(*) AS orders,
        SUM(in_recent) AS orders_recent,
        SUM(in_previous) AS orders_previous,
        CAST(SUM(revenue_recent) AS BIGINT) AS revenue_recent,
        CAST(SUM(revenue_previous) AS BIGINT) AS revenue_previous,
        CAST(SUM(profit_recent) AS BIGINT) AS profit_recent,
        CAST(SUM(profit_previous) AS BIGINT) AS profit_previous,
        CAST(SUM(revenue_12m) AS BIGINT) AS revenue_12m,
        CAST(SUM(profit_12m) AS BIGINT) AS profit_12m,
        CAST(SUM(revenue) AS BIGINT) AS revenue,
        CAST(SUM(profit) AS BIGINT) AS profit,
        SUM(revenue_rows) AS revenue_rows,
        SUM(profit_rows) AS profit_rows
    FROM orders
    GROUP BY customer_id
)
SELECT
    g.customer_id, g.order_days, c.orders, g.first_day, g.last_day, g.median_gap, g.last_gap,
    c.orders_recent, c.orders_previous, c.revenue_recent, c.revenue_previous, c.profit_recent,
    c.profit_previous, c.revenue_12m, c.profit_12m, c.revenue, c.profit, c.revenue_rows, c.profit_rows
FROM gap_stats g
JOIN per_customer c ON c.customer_id = g.customer_id
ORDER BY g.customer_id
