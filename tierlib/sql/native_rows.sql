-- Native path: every row of the source file(s), validated and typed (a SELECT that becomes the
-- view or table `_np_parsed`).
-- Output: line (1-based row of the file), file (index into the file list), code (0 = used,
-- 1..16 = the first reason the row is rejected in schema.prepare's order, 255 = a blank row, which
-- is not data), the canonical fields that come from the file (money as BIGINT units of 1/scale),
-- the raw text of the rejected cell and a 64-bit hash of the raw mapped cells (duplicates).
-- The {placeholders} are filled by tierlib/native.py with macro calls (native_macros.sql) on
-- quoted identifiers and with quoted literals (a view cannot take bound parameters). Raw columns
-- are renamed _np_c0, _np_c1, ... so no header of the user's file can clash with a helper.
WITH src AS (
    SELECT {line} AS _np_line, {file} AS _np_file_ix, {raw}
    FROM {relation}
),
ends AS (
    SELECT src.*, {ends}
    FROM src
),
stripped AS (
    SELECT ends.*, {strips}
    FROM ends
),
helpers AS (
    SELECT stripped.*, {helpers}
    FROM stripped
),
flags AS (
    SELECT helpers.*, {flags}
    FROM helpers
    {lookups}
),
parsed AS (
    SELECT flags.*, {parsed}
    FROM flags
),
coded AS (
    SELECT parsed.*, {code} AS _np_code
    FROM parsed
)
SELECT
    _np_line AS line,
    _np_file_ix AS file,
    CAST(_np_code AS UTINYINT) AS code,
    {outputs},
    CASE WHEN _np_code BETWEEN 1 AND 254 THEN {rejected_value} END AS rejected_value,
    CASE WHEN _np_code = 0 THEN {raw_hash} END AS raw_hash
FROM coded
