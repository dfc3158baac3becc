MATCH (o:Officer) WHERE o.retired_at IS NULL
RETURN o.officer_id AS officer_id, o.unit_id AS unit_id
