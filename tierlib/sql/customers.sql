-- Transactions -> one row per customer.
-- Input table `tx` has every canonical field (see tierlib/schema.py); money columns are BIGINT
-- units of 1/10,000. Orders = distinct order ids, else distinct order days, else the `orders`
-- column of a customer-level sheet. Dimensions take the customer's most frequent value (ties:
-- the smallest), computed with window functions only so the query stays portable.
-- Filters (bound parameters, NULL = no filter): $date_from (inclusive), $date_to (exclusive),
-- $region, $industry, $channel, $salesperson, $product (lists of accepted values).
WITH base AS (
    SELECT
        customer_id,
        customer_name,
        order_id,
        order_date,
        CAST(revenue AS BIGINT) AS revenue,
        CAST(cost AS BIGINT) AS cost,
        CAST(profit AS BIGINT) AS profit,
        quantity,
        orders,
        region, industry, channel, salesperson, product,
        COALESCE(order_id, CAST(CAST(order_date AS DATE) AS VARCHAR)) AS order_key
    FROM tx
    WHERE ($date_from IS NULL OR order_date >= $date_from)
      AND ($date_to IS NULL OR order_date < $date_to)
      AND ($region IS NULL OR list_contains($region, region))
      AND ($industry IS NULL OR list_contains($industry, industry))
      AND ($channel IS NULL OR list_contains($channel, channel))
      AND ($salesperson IS NULL OR list_contains($salesperson, salesperson))
      AND ($product IS NULL OR list_contains($product, product))
),
agg AS (
    SELECT
        customer_id,
        MIN(order_date) AS first_order,
        MAX(order_date) AS last_order,
        COUNT(*) AS lines,
        COALESCE(NULLIF(COUNT(DISTINCT order_key), 0), CAST(SUM(orders) AS BIGINT)) AS orders,
        CAST(SUM(revenue) AS BIGINT) AS revenue,
        CAST(SUM(cost) AS BIGINT) AS cost,
        CAST(SUM(profit) AS BIGINT) AS profit,
        SUM(quantity) AS quantity,
        SUM(CASE WHEN revenue < 0 OR profit < 0 THEN 1 ELSE 0 END) AS negative_lines
    FROM base
    GROUP BY customer_id
),
dim_long AS (
    SELECT customer_id, 'customer_name' AS dim, customer_name AS val FROM base WHERE customer_name IS NOT NULL
    UNION ALL SELECT customer_id, 'region', region FROM base WHERE region IS NOT NULL
    UNION ALL SELECT customer_id, 'industry', industry FROM base WHERE industry IS NOT NULL
    UNION ALL SELECT customer_id, 'channel', channel FROM base WHERE channel IS NOT NULL
    UNION ALL SELECT customer_id, 'salesperson', salesperson FROM base WHERE salesperson IS NOT NULL
    UNION ALL SELECT customer_id, 'product', product FROM base WHERE product IS NOT NULL
),
dim_counts AS (
    SELECT customer_id, dim, val, COUNT(*) AS n FROM dim_long GROUP BY customer_id, dim, val
),
dim_top AS (
    SELECT customer_id, dim, val
    FROM (
        SELECT customer_id, dim, val,
               ROW_NUMBER() OVER (PARTITION BY customer_id, dim ORDER BY n DESC, val ASC) AS rn
        FROM dim_counts
    ) ranked
    WHERE rn = 1
)
SELECT
    a.customer_id,
    MAX(CASE WHEN d.dim = 'customer_name' THEN d.val END) AS customer_name,
    a.first_order, a.last_order, a.lines, a.orders,
    a.revenue, a.cost, a.profit, a.quantity, a.negative_lines,
    MAX(CASE WHEN d.dim = 'region' THEN d.val END) AS region,
    MAX(CASE WHEN d.dim = 'industry' THEN d.val END) AS industry,
    MAX(CASE WHEN d.dim = 'channel' THEN d.val END) AS channel,
    MAX(CASE WHEN d.dim = 'salesperson' THEN d.val END) AS salesperson,
    MAX(CASE WHEN d.dim = 'product' THEN d.val END) AS product
FROM agg a
LEFT JOIN dim_top d ON d.customer_id = a.customer_id
GROUP BY a.customer_id, a.first_order, a.last_order, a.lines, a.orders,
         a.revenue, a.cost, a.profit, a.quantity, a.negative_lines
ORDER BY a.customer_id
