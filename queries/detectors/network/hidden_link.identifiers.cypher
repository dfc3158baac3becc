MATCH (e)-[r:HAS_IDENTIFIER]->(i:Identifier)
WHERE r.retired_at IS NULL AND e.retired_at IS NULL AND i.kind IN $link_kinds
RETURN e.uid AS entity, i.uid AS via
