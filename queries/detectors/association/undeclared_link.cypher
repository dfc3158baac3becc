MATCH (o:Officer)-[a:HAS_IDENTIFIER]->(i:Identifier)<-[b:HAS_IDENTIFIER]-(p:Person)
WHERE a.retired_at IS NULL AND b.retired_at IS NULL AND o.retired_at IS NULL AND p.retired_at IS NULL
  AND i.retired_at IS NULL AND i.kind IN $link_kinds AND size(p.nominal_flags) > 0
  AND (i.holders IS NULL OR i.holders <= $max_holders)
  AND NOT EXISTS {
    MATCH (o)-[:DECLARED]->(d:Declaration)
    WHERE d.person_id = p.person_id AND d.status = 'approved' AND d.retired_at IS NULL
  }
RETURN o.officer_id AS officer_id, p.person_id AS person_id, p.nominal_flags AS nominal_flags,
       collect(DISTINCT i.kind) AS kinds, collect(DISTINCT i.identifier_id) AS identifiers,
       min(a.first_seen) AS since
ORDER BY officer_id, person_id
