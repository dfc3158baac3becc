"""What the attendance detectors share: SQL text both their queries take in by a
``{{name}}`` placeholder (see :func:`~queries.detectors.base.fill`)."""

from __future__ import annotations

ABSENCE = "('annual_leave', 'sick')"
"""SQL: the duty types of leave and sickness (``{{absence}}``)."""

OUTSIDE = (
    "NULLIF(trim(source_ip), '') IS NOT NULL "
    "AND NOT coalesce(list_bool_or([starts_with(source_ip, p) FOR p IN $office_networks]), false)"
)
"""SQL: a remote session from outside the office networks (a known address, no office
prefix; ``{{outside}}``)."""
