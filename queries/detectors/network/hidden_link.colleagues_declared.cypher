MATCH (o:Officer)-[:DECLARED]->(d:Declaration)
WHERE d.retired_at IS NULL AND d.status <> 'rejected' AND d.org_name IS NOT NULL
RETURN o.uid AS officer, d.org_name AS text
