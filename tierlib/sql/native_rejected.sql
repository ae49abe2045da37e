-- Native path: the rejected rows in file order, at most $cap of them (native_codes.sql gives the
-- exact counts).
SELECT file, line, code, rejected_value AS value
FROM _np_stage
WHERE code BETWEEN 1 AND 254
ORDER BY file, line
LIMIT $cap
