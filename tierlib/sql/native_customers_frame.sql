-- Native path: the per-customer table in the column order and types of customers.sql.
-- DIM_COLUMNS and DIM_JOINS are spliced in by tierlib/native.py.
SELECT c.customer_id, DIM_NAME, c.first_order, c.last_order, c.lines, c.orders, c.revenue, c.cost,
       c.profit, c.quantity, c.negative_lines, DIM_REST
FROM _np_cust c DIM_JOINS
ORDER BY c.customer_id
