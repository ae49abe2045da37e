-- Native path: rows by reason code (0 = used, 1..16 = rejected, 255 = blank row, not data).
SELECT code, COUNT(*) AS n FROM _np_stage GROUP BY code ORDER BY code
