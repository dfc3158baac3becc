MATCH (o:Officer) WHERE o.retired_at IS NULL
RETURN o.uid AS uid, o.officer_id AS officer_id, o.unit_id AS unit_id, o.line_manager_id AS manager,
       o.forenames AS forenames, o.surname AS surname, o.email AS email
