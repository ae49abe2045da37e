-- Native path: the distinct cells of one text column that the SQL rules do not cover (they are
-- parsed by tierlib.parsing in Python, then joined back). {cell} is a quoted column of {relation};
-- {odd} the predicate built from the macros in native_macros.sql.
SELECT DISTINCT {cell} AS raw
FROM {relation}
WHERE {odd}
