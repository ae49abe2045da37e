-- Distinct values of every dimension with their row counts, for the filter pickers.
SELECT 'region' AS dim, region AS val, COUNT(*) AS n FROM tx WHERE region IS NOT NULL GROUP BY region
UNION ALL SELECT 'industry', industry, COUNT(*) FROM tx WHERE industry IS NOT NULL GROUP BY industry
UNION ALL SELECT 'channel', channel, COUNT(*) FROM tx WHERE channel IS NOT NULL GROUP BY channel
UNION ALL SELECT 'salesperson', salesperson, COUNT(*) FROM tx WHERE salesperson IS NOT NULL GROUP BY salesperson
UNION ALL SELECT 'product', product, COUNT(*) FROM tx WHERE product IS NOT NULL GROUP BY product
ORDER BY dim, n DESC, val
