-- Native path: the 64-bit hashes of the raw mapped cells of the used rows. tierlib/native.py
-- counts the duplicates (schema.Prepared.duplicate_rows: rows whose raw cells repeat an earlier
-- row) as rows minus distinct hashes, by sorting them in numpy (4x faster than a DISTINCT count
-- here; a false match needs a hash collision between two different rows: p < 3e-6 at 10 million rows).
SELECT raw_hash FROM _np_stage WHERE code = 0
