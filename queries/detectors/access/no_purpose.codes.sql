WITH placeholders AS (SELECT DISTINCT upper(trim(unnest($placeholder_codes))) AS code),
codes AS (SELECT "system", purpose_code, count(*) AS n FROM system_access GROUP BY ALL),
lookups AS (
    SELECT "system", sum(n) AS n, coalesce(sum(n) FILTER (WHERE (purpose_code IS NULL OR regexp_full_match(trim(purpose_code), '[^A-Za-z0-9]*') OR upper(trim(purpose_code)) IN (SELECT code FROM placeholders))), 0) AS blank
    FROM codes GROUP BY "system"),
asking AS (SELECT "system" FROM lookups WHERE n - blank >= $min_coded_share * n),
enquiries AS (  -- a record looked up by an officer on a day: one enquiry, however many screens and systems
    SELECT arg_min("system", struct_pack(t := ts, s := "system")) AS "system", bool_or((purpose_code IS NULL OR regexp_full_match(trim(purpose_code), '[^A-Za-z0-9]*') OR upper(trim(purpose_code)) IN (SELECT code FROM placeholders))) AS blank
    FROM system_access WHERE "system" IN (SELECT "system" FROM asking)
    GROUP BY officer_id, record_id, CAST(ts AS DATE)),
per_system AS (  -- an enquiry is on the system of its first lookup
    SELECT l."system", l.n, l.blank, coalesce(e.n, 0) AS enquiries, coalesce(e.blank, 0) AS blank_enquiries
    FROM lookups l LEFT JOIN (SELECT "system", count(*) AS n, count(*) FILTER (WHERE blank) AS blank
                              FROM enquiries GROUP BY "system") e USING ("system"))
SELECT (SELECT list(DISTINCT purpose_code) FROM codes WHERE purpose_code IS NOT NULL AND (purpose_code IS NULL OR regexp_full_match(trim(purpose_code), '[^A-Za-z0-9]*') OR upper(trim(purpose_code)) IN (SELECT code FROM placeholders))) AS blank,
       (SELECT list(struct_pack("system", n := enquiries, blank := blank_enquiries) ORDER BY "system")
        FROM per_system WHERE n - blank >= $min_coded_share * n) AS systems
