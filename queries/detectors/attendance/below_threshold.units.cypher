MATCH (u:Unit) WHERE u.retired_at IS NULL AND u.site_id IS NOT NULL RETURN u.unit_id AS unit_id, u.site_id AS site_id
