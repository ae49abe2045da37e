-- Macros of the native path (tierlib/native.py): the cell rules of tierlib/parsing.py in SQL.
-- Run once per DuckDB database (a script of definitions, no data). Every value comes in as an
-- argument: the strip characters, the missing markers and the money scale are bound parameters
-- of the queries that call these macros.

-- Strip the characters of `strip` from both ends, as Python's str.strip(strip). `strip_re` is
-- ^[...]+|[...]+$ of the same characters. A regex costs ~100 ns a cell, so it runs only on cells
-- whose first or last character may be one of them. np_strip_char(c) is true for a code point
-- <= 0x20 or one of the non-ASCII spaces of parsing._STRIP (tests/test_native.py checks the list
-- against it), written as comparisons: list_contains / IN cost several times more per cell.
CREATE OR REPLACE MACRO np_strip_char(c) AS
    (c <= 32 OR (c >= 160 AND (c = 160 OR c = 5760 OR (c >= 8192 AND c <= 8205) OR c = 8232 OR c = 8233
                               OR c = 8239 OR c = 8287 OR c = 12288 OR c = 65279)));

-- np_strip with the code points of the first (f) and last (l) character computed once
-- (ord(x), ord(x[-1])) in an earlier projection: the cheap range test decides for almost every cell.
CREATE OR REPLACE MACRO np_strip_at(x, f, l, strip_re) AS
    CASE WHEN (f <= 32 OR f >= 160 OR l <= 32 OR l >= 160) AND (np_strip_char(f) OR np_strip_char(l))
         THEN regexp_replace(x, strip_re, '', 'g') ELSE x END;

CREATE OR REPLACE MACRO np_strip(x, strip, strip_re) AS
    np_strip_at(x, ord(x), ord(x[-1]), strip_re);

-- Identifier / name text after stripping: "10001.0" -> "10001" (parsing.parse_text).
CREATE OR REPLACE MACRO np_dot0(t) AS
    CASE WHEN contains(t, '.') THEN regexp_replace(t, '^(\p{Nd}+)\.0+$', '\1') ELSE t END;

-- Both steps (for one-off queries; the rows query runs them in two projections).
CREATE OR REPLACE MACRO np_text(x, strip, strip_re) AS np_dot0(np_strip(x, strip, strip_re));

-- Empty, whitespace or a missing marker such as "N/A" (parsing.MISSING_MARKERS). `markers` is
-- the markers joined as \x01m1\x01m2\x01...\x01 (none longer than `longest` bytes): a substring
-- test, because DuckDB plans IN / list_contains over a list as a join over every row.
CREATE OR REPLACE MACRO np_missing(t, markers, longest) AS
    (t IS NULL OR CASE WHEN strlen(t) <= longest AND NOT contains(t, chr(1))
                       THEN contains(markers, chr(1) || lower(t) || chr(1)) ELSE false END);

-- A plain decimal number that pandas.to_numeric and DuckDB read to the same double (both are
-- correctly rounded for these; pandas is not for a leading "+" with decimals, so "+" is not plain);
-- anything else goes through the Python parser (distinct values only).
CREATE OR REPLACE MACRO np_plain_number(t) AS
    regexp_full_match(t, '-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?');

-- Year-first dates with "-" or "/" and an optional time (a subset of parsing._YMD); the rest goes
-- through the Python parser.
CREATE OR REPLACE MACRO np_iso_date(t) AS
    regexp_full_match(t, '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?')
    OR regexp_full_match(t, '[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?');

CREATE OR REPLACE MACRO np_iso_value(t) AS
    CAST(try_strptime(t, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%d', '%Y-%m-%dT%H:%M:%S',
                          '%Y-%m-%dT%H:%M', '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d',
                          '%Y/%m/%dT%H:%M:%S', '%Y/%m/%dT%H:%M']) AS TIMESTAMP);

-- A plausible order date (1900-01-01 up to the end of 2100, parsing.MIN_DATE / MAX_DATE) as the
-- Python path's datetime64[ns], else NULL (checked before the cast: year 1 or 9999 does not fit
-- in nanoseconds).
CREATE OR REPLACE MACRO np_plausible_ns(ts) AS
    CASE WHEN ts >= TIMESTAMP '1900-01-01' AND ts < TIMESTAMP '2101-01-01' THEN CAST(ts AS TIMESTAMP_NS) END;

-- Money as integer units of 1/scale, rounded half away from zero in double arithmetic exactly as
-- schema.to_units does (scaled = v * scale; sign(scaled) * floor(|scaled| + 0.5)).
CREATE OR REPLACE MACRO np_units(v, scale) AS
    CAST(sign(v * CAST(scale AS DOUBLE)) * floor(abs(v * CAST(scale AS DOUBLE)) + 0.5) AS BIGINT);

-- Text of a float id cell: integral values below 2**53 without ".0", others as Python's repr.
CREATE OR REPLACE MACRO np_float_text(v) AS
    CASE WHEN v IS NULL OR NOT isfinite(v) THEN NULL
         WHEN v = trunc(v) AND abs(v) < 9007199254740992 THEN CAST(CAST(v AS BIGINT) AS VARCHAR)
         ELSE CAST(v AS VARCHAR) END;

-- A raw cell for the rejected-rows report (schema._cell_text): at most 200 characters.
CREATE OR REPLACE MACRO np_cell(s) AS
    CASE WHEN s IS NULL THEN '' WHEN length(s) <= 200 THEN s ELSE left(s, 197) || '...' END;

-- Pandas' text of a timestamp cell (str(pd.Timestamp)); NaT for a missing one.
CREATE OR REPLACE MACRO np_ts_cell(ts) AS
    CASE WHEN ts IS NULL THEN 'NaT'
         WHEN epoch_us(ts) % 1000000 = 0 THEN strftime(ts, '%Y-%m-%d %H:%M:%S')
         ELSE strftime(ts, '%Y-%m-%d %H:%M:%S.%f') END;
