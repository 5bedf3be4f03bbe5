-- Helpers of the yardstick's Silver SQL: the pipeline's value rules as DuckDB macros.
-- The rules are the standard operations of scripts/warehouse/silver/operations.py.

-- Python's str.strip() (the pipeline's trim): every character Python counts as white space
-- (RE2's \s lacks \x0b and the Unicode spaces). Most values start and end with a visible
-- ASCII character and are returned as they are, without the regular expression.
CREATE OR REPLACE MACRO py_strip(x) AS
    CASE WHEN ord(x) BETWEEN 33 AND 126 AND ord(right(x, 1)) BETWEEN 33 AND 126 THEN x
    ELSE regexp_replace(x, '^[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]+|[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]+$', '', 'g') END;

-- op trim: strip white space; a value that becomes empty is missing.
CREATE OR REPLACE MACRO strip(x) AS
    CASE WHEN ord(x) BETWEEN 33 AND 126 AND ord(right(x, 1)) BETWEEN 33 AND 126 THEN x
    ELSE nullif(py_strip(x), '') END;

-- op cast to int: a sign and ASCII digits, within int64 (else NULL: the caller rejects).
CREATE OR REPLACE MACRO as_int(x) AS
    CASE WHEN regexp_full_match(x, '[+-]?[0-9]+') THEN TRY_CAST(x AS BIGINT) END;

-- The reason a value is not an int (with the range note for integers beyond int64).
CREATE OR REPLACE MACRO int_reason(col, x) AS
    col || ': ''' || x || ''' is not a valid int'
    || CASE WHEN regexp_full_match(x, '[+-]?[0-9]+')
        THEN ' (outside the 64-bit integer range -9223372036854775808 to 9223372036854775807)'
        ELSE '' END;

-- op cast to decimal (float64): a decimal number a float64 holds, not infinity and not a
-- non-zero number that would become 0 (1e-400).
CREATE OR REPLACE MACRO as_number(x) AS
    CASE WHEN NOT regexp_full_match(x, '[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?')
        THEN NULL
    WHEN TRY_CAST(x AS DOUBLE) = 0
        THEN CASE WHEN regexp_matches(regexp_replace(x, '[eE].*', ''), '[1-9]') THEN NULL
            ELSE TRY_CAST(x AS DOUBLE) END
    WHEN isinf(TRY_CAST(x AS DOUBLE)) THEN NULL
    ELSE TRY_CAST(x AS DOUBLE) END;

-- op parse_date: a date only if formatting it again gives the text back (no roll-over of
-- 2023-02-30, no 2023-2-3).
CREATE OR REPLACE MACRO as_date(x, fmt) AS
    CASE WHEN strftime(try_strptime(x, fmt), fmt) = x THEN CAST(try_strptime(x, fmt) AS DATE) END;

-- op parse_date with exact_length 8 (format %Y%m%d): a value that is not exactly 8 digits is
-- missing. Eight digits parse to one real date or to none (20230230), so no round trip.
CREATE OR REPLACE MACRO as_yyyymmdd(x) AS
    CASE WHEN regexp_full_match(x, '[0-9]{8}') THEN CAST(try_strptime(x, '%Y%m%d') AS DATE) END;

-- "YYYY-MM" of an order date, 'unknown' without one (scripts/warehouse/gold/marts.py).
CREATE OR REPLACE MACRO order_month(d) AS coalesce(strftime(d, '%Y-%m'), 'unknown');

-- Checks (scripts/warehouse/quality/evaluators.py): text with white space around it, or empty.
CREATE OR REPLACE MACRO stray(x) AS x <> py_strip(x) OR x = '';

-- Floats are equal within a relative 1e-9; sums reconcile within a relative 1e-6.
CREATE OR REPLACE MACRO close(a, b) AS abs(a - b) <= 1e-9 * greatest(abs(a), abs(b));
CREATE OR REPLACE MACRO sums_differ(a, b) AS
    CASE WHEN abs(a - b) <= 1e-6 * greatest(abs(a), abs(b)) THEN 0 ELSE 1 END;
