MATCH (e)-[m:MEMBER_OF]->(g:Organisation)
WHERE m.retired_at IS NULL AND e.retired_at IS NULL AND m.score >= $min_score AND g.kind IN $org_kinds
RETURN e.uid AS entity, g.uid AS via
