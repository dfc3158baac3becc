"""What the roster detectors share: SQL text that several of their queries take in by a
``{{name}}`` placeholder (see :func:`~queries.detectors.base.fill`), and words for
explanations."""

from __future__ import annotations

from queries.detectors.common import PAID_EXTRA

PAID = ", ".join(f"'{p}'" for p in PAID_EXTRA)
"""SQL: the pay codes that pay more than basic, quoted (``{{paid_extra}}``)."""

NOT_A_DUTY = "('annual_leave', 'sick', 'rest_day')"
"""SQL: the duty types that are no duty (``{{not_a_duty}}``)."""

NO_REASON = "NULLIF(trim(coalesce(c.reason, '')), '') IS NULL"
"""SQL: the audit row ``c`` (of roster_changes) gives no reason, null or blank (``{{no_reason}}``)."""


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"
