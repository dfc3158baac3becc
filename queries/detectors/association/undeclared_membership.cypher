MATCH (x:Membership) WHERE x.retired_at IS NULL
WITH max(x.since) AS listed_since, max(x.until) AS listed_until
OPTIONAL MATCH (y:Declaration) WHERE y.retired_at IS NULL
WITH listed_since, listed_until, max(y.declared_at) AS last_declared
MATCH (o:Officer)-[m:MEMBER_OF]->(g:Organisation)
WHERE m.retired_at IS NULL AND o.retired_at IS NULL AND g.retired_at IS NULL
  AND m.score >= $min_score AND g.kind IN $kinds
OPTIONAL MATCH (o)-[:DECLARED]->(d:Declaration)-[a:ABOUT]->(g)
WHERE d.retired_at IS NULL
RETURN o.officer_id AS officer_id, o.start_date AS officer_start, o.end_date AS officer_end,
       g.org_id AS org_id, g.name AS org_name, g.kind AS org_kind,
       m.membership_id AS membership_id, m.score AS score, m.matched_on AS matched_on,
       m.match_weights AS match_weights,
       m.method AS method, m.since AS since, m.until AS until,
       d.declaration_id AS declaration_id, d.status AS status, d.declared_at AS declared_at,
       d.valid_until AS valid_until, d.org_name AS declared_name, a.method AS about_method,
       listed_since, listed_until, last_declared
ORDER BY officer_id, membership_id, declaration_id
