job AS (  -- each officer's job: their unit and rank, the role they hold now (their open posting in their current
          -- unit, else the latest; written alike whatever its case and spacing), and the kind of work that role
          -- and their unit's name say it is (custody, public protection, intelligence), if any
    SELECT o.officer_id, o.unit_id, NULLIF(trim(o.rank), '') AS rank, j.role,
           {{family}} AS family
    FROM g_officers o
    LEFT JOIN (SELECT a.officer_id,
                      arg_max(lower(regexp_replace(trim(a.role), '\s+', ' ', 'g')),
                              struct_pack(open := a.end_date IS NULL, here := a.unit_id IS NOT DISTINCT FROM g.unit_id,
                                          s := a.start_date, r := a.role)) AS role
               FROM g_assignments a JOIN g_officers g USING (officer_id)
               WHERE NULLIF(trim(a.role), '') IS NOT NULL GROUP BY a.officer_id) j USING (officer_id)
    LEFT JOIN g_units u ON u.unit_id = o.unit_id)
