MATCH (a:Officer)-[x:NAMED_IN]->(c:Complaint)<-[y:NAMED_IN]-(b:Officer)
WHERE a.officer_id < b.officer_id AND x.retired_at IS NULL AND y.retired_at IS NULL AND c.retired_at IS NULL
RETURN a.officer_id AS a, b.officer_id AS b, c.complaint_id AS complaint_id, c.received_date AS received,
       c.incident_date AS incident
