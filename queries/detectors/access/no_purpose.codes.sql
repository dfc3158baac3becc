WITH placeholders AS (SELECT DISTINCT {{norm_placeholder}} AS code FROM (SELECT unnest($placeholder_codes) AS placeholder)),
codes AS (SELECT "system", purpose_code, count(*) AS n, count(case_ref) AS with_case, min(ts) AS lo, max(ts) AS hi
          FROM system_access GROUP BY ALL),
classified AS (  -- each code in the data: whether it carries no purpose
    SELECT *, purpose_code IS NULL OR regexp_full_match({{norm_code}}, '{{pattern}}')
              OR {{norm_code}} IN (SELECT code FROM placeholders) AS blank
    FROM codes),
per_system AS (SELECT "system", sum(n) AS n, coalesce(sum(n) FILTER (WHERE blank), 0) AS blank FROM classified GROUP BY "system"),
asking AS (SELECT "system" FROM per_system WHERE n - blank >= $min_coded_share * n),
per_code AS (  -- real codes on the systems that ask: how often each quotes a case
    SELECT purpose_code, sum(n) AS n, sum(with_case) AS with_case
    FROM classified WHERE NOT blank AND "system" IN (SELECT "system" FROM asking) GROUP BY purpose_code)
SELECT (SELECT list(DISTINCT purpose_code) FROM classified WHERE purpose_code IS NOT NULL AND blank) AS blank,
       (SELECT list("system" ORDER BY "system") FROM asking) AS systems,
       (SELECT list(purpose_code ORDER BY purpose_code) FROM per_code
        WHERE n >= $min_case_code_lookups AND with_case >= $min_case_share * n) AS case_codes,
       (SELECT greatest(abs(epoch(min(lo))), abs(epoch(max(hi)))) FROM codes) AS span_s
