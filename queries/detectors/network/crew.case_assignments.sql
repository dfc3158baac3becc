SELECT count(*) AS n FROM g_case_assignments
