MATCH (p:Person) WHERE p.retired_at IS NULL AND size(p.nominal_flags) > 0
RETURN p.uid AS uid, p.person_id AS person_id, p.nominal_flags AS flags
