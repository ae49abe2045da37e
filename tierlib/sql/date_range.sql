-- First and last order date of the loaded transactions.
SELECT MIN(order_date) AS first_date, MAX(order_date) AS last_date FROM tx
