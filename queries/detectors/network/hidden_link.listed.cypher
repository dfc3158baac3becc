MATCH (m:Membership)-[l:LISTED_IN]->(g:Organisation)
WHERE m.retired_at IS NULL AND l.retired_at IS NULL AND m.until IS NULL
RETURN g.uid AS org, count(m) AS members
