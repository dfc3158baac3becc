MATCH (o:Officer)-[m:MEMBER_OF]->(g:Organisation)<-[n:MEMBER_OF]-(p:Person)
WHERE m.retired_at IS NULL AND n.retired_at IS NULL AND o.retired_at IS NULL AND p.retired_at IS NULL
  AND g.retired_at IS NULL AND g.kind IN $org_kinds AND size(p.nominal_flags) > 0
  AND m.score >= $min_score AND n.score >= $min_score
  AND (m.until IS NULL OR n.since IS NULL OR m.until >= n.since)
  AND (n.until IS NULL OR m.since IS NULL OR n.until >= m.since)
  AND NOT EXISTS {
    MATCH (o)-[:DECLARED]->(d:Declaration)
    WHERE d.person_id = p.person_id AND d.status = 'approved' AND d.retired_at IS NULL
  }
MATCH (g)<-[k:MEMBER_OF]-(x)
WHERE k.retired_at IS NULL AND k.score >= $min_score
WITH o, p, g, m, n, count(DISTINCT x) AS members
WHERE members <= $max_members
RETURN o.officer_id AS officer_id, p.person_id AS person_id, p.nominal_flags AS nominal_flags,
       g.org_id AS org_id, g.name AS org_name, g.kind AS org_kind, members,
       m.membership_id AS officer_membership, n.membership_id AS person_membership,
       m.since AS officer_since, n.since AS person_since
ORDER BY officer_id, person_id, org_id
