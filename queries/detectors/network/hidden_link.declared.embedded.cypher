MATCH (o:Officer)-[:DECLARED]->(d:Declaration)
WHERE d.status = 'approved' AND d.retired_at IS NULL AND d.person_id IS NOT NULL
RETURN o.uid AS officer, concat('Person:', d.person_id) AS person
