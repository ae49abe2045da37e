-- Native path: used rows whose raw mapped cells repeat an earlier row (schema.Prepared.duplicate_rows):
-- rows minus distinct 64-bit hashes of the raw cells (a false match needs a hash collision
-- between two different rows: p < 3e-6 at 10 million rows).
SELECT COUNT(*) - COUNT(DISTINCT raw_hash) AS duplicates FROM _np_stage WHERE code = 0
