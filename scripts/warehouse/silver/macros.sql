-- The value rules of the standard operations (silver/operations.py) as DuckDB macros, created in
-- every Silver connection. Each is pure: text (or a typed value) in, a value or NULL out.

-- Python's str.strip(): every character Python counts as white space (RE2's \s lacks \x0b and
-- the Unicode spaces). Most values start and end with a visible ASCII character and are
-- returned as they are, without the regular expression (about 40 ns a value).
CREATE OR REPLACE MACRO visible_ends(x) AS ord(x) BETWEEN 33 AND 126 AND ord(x[-1]) BETWEEN 33 AND 126;

CREATE OR REPLACE MACRO strip_spaces(x) AS
    regexp_replace(x, '^[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]+|[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]+$', '', 'g');

CREATE OR REPLACE MACRO py_strip(x) AS CASE WHEN visible_ends(x) THEN x ELSE strip_spaces(x) END;

-- op trim: strip white space; a value that becomes empty is missing.
CREATE OR REPLACE MACRO trimmed(x) AS
    CASE WHEN visible_ends(x) THEN x ELSE nullif(strip_spaces(x), '') END;

-- Written as an integer (a sign and ASCII digits), whatever its size.
CREATE OR REPLACE MACRO is_int_text(x) AS regexp_full_match(x, '[+-]?[0-9]+');

-- Written as a decimal number (1, -2.5, .5, 1e3), whatever its size; not inf or nan.
CREATE OR REPLACE MACRO is_number_text(x) AS
    regexp_full_match(x, '[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?');

-- Cast to int: an integer text within int64, else NULL.
CREATE OR REPLACE MACRO as_int(x) AS CASE WHEN is_int_text(x) THEN TRY_CAST(x AS BIGINT) END;

-- Cast to float/decimal (float64): a number text a float64 holds, not infinity (1e400) and not
-- a non-zero number that would become 0 (1e-400); else NULL.
CREATE OR REPLACE MACRO as_number(x) AS
    CASE WHEN NOT is_number_text(x) THEN NULL
    WHEN isinf(TRY_CAST(x AS DOUBLE)) THEN NULL
    WHEN TRY_CAST(x AS DOUBLE) = 0 AND regexp_matches(regexp_replace(x, '[eE].*', ''), '[1-9]')
        THEN NULL
    ELSE TRY_CAST(x AS DOUBLE) END;

-- Cast to bool: the words of silver/operations.py, in any case.
CREATE OR REPLACE MACRO as_bool(x) AS
    CASE WHEN lower(x) IN ('true', 't', 'yes', 'y', '1') THEN true
    WHEN lower(x) IN ('false', 'f', 'no', 'n', '0') THEN false END;

-- A date by a strptime format, only if formatting it again gives the text back (no roll-over of
-- 2023-02-30, no 2023-2-3).
CREATE OR REPLACE MACRO as_date(x, fmt) AS
    CASE WHEN strftime(try_strptime(x, fmt), fmt) = x THEN CAST(try_strptime(x, fmt) AS DATE) END;

-- Why a number text does not cast: it lies outside the type's range (an empty note otherwise).
CREATE OR REPLACE MACRO int_range_note(x) AS
    CASE WHEN is_int_text(x) AND as_int(x) IS NULL
        THEN ' (outside the 64-bit integer range -9223372036854775808 to 9223372036854775807)'
        ELSE '' END;

CREATE OR REPLACE MACRO number_range_note(x) AS
    CASE WHEN is_number_text(x) AND as_number(x) IS NULL
        THEN ' (outside the range of a 64-bit float: beyond about 1.8e308, or so near 0 it would become 0)'
        ELSE '' END;
