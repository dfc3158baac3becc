"""Render every detector's method card as Markdown (``docs/detectors.md`` is generated
from this: ``python -m queries.cards > docs/detectors.md``; a test checks it is current)."""

from __future__ import annotations

from queries.detectors import DETECTORS
from queries.detectors.base import Detector

EXAMPLES = "../tests/examples"
"""Worked examples, relative to ``docs/``."""

ROOT = ".."
"""The folder that holds ``queries``, relative to ``docs/``."""


def _source(d: Detector) -> str:
    """The detector's module and its query files, as links."""
    module, *queries = (f"[`{f}`]({ROOT}/{f})" for f in d.files)
    return f"**Source.** {module}" + (f"; its queries: {', '.join(queries)}" if queries else "") + "."


def card_markdown(d: Detector) -> str:
    c = d.card
    lines = [
        f"## `{d.name}`",
        "",
        f"**Purpose.** {c.purpose}",
        "",
        "**Reads.** " + "; ".join(c.reads) + ".",
        "",
        f"**Logic.** {c.logic}",
        "",
        "**Parameters.**",
        "",
        "| name | default | meaning |",
        "|---|---|---|",
        *(f"| `{p.name}` | `{p.default!r}` | {p.description} |" for p in d.params),
        "",
        f"**Score and severity.** {c.scoring}",
        "",
        "**Forms recognised.**",
        "",
        *(
            f"- *{f.name.replace('_', ' ')}*: {f.description} Look-alikes: "
            + ", ".join(f"*{x.replace('_', ' ')}*" for x in f.lookalikes)
            + (f". Needs: {', '.join(f.needs)}" if f.needs else "")
            + f". [Worked example]({EXAMPLES}/{d.name}/{f.name}/)"
            for f in c.forms
        ),
        "",
        "**Known innocent explanations.**",
        "",
        *(
            f"- *{la.name.replace('_', ' ')}*: {la.description} [Worked example]({EXAMPLES}/{d.name}/{la.name}/)"
            for la in c.lookalikes
        ),
        *(f"- {fp}" for fp in c.false_positives),
        "",
        *(
            [
                "**Inputs checked before each run** (a missing one is reported with the forms it "
                "leaves unchecked): " + "; ".join(f"`{i.name}` ({i.description})" for i in d.inputs) + ".",
                "",
            ]
            if d.inputs
            else []
        ),
        "**Never uses** (protected characteristics): " + ", ".join(c.never_uses) + ".",
        "",
        _source(d),
        "",
        *(
            [
                "**Implementation.** Python with NetworkX (`"
                + f"{d.python.__module__}.{d.python.__name__}"
                + "`), over the queries below.",
                "",
            ]
            if d.python is not None
            else []
        ),
        *(
            [
                "**Query** (Neo4j Cypher; the embedded store runs "
                + ("its own variant" if d.cypher_embedded else "the same text")
                + "):",
                "",
                "```cypher",
                d.cypher,
                "```",
                "",
            ]
            if d.cypher is not None
            else []
        ),
        *(
            [
                "**Query** (SQL on the event store, DuckDB; `g_*` tables are graph facts "
                "registered for the run, `$name` are the parameters):",
                "",
                "```sql",
                str(d.sql).strip("\n"),
                "```",
            ]
            if d.sql is not None
            else []
        ),
        "",
    ]
    return "\n".join(lines)


def render() -> str:
    head = [
        "# Detector method cards",
        "",
        "Generated from the detector declarations in `queries/detectors/` "
        "(`python -m queries.cards > docs/detectors.md`). Every flag is a prompt for a human "
        "assessment, never a verdict.",
        "",
        "",
    ]
    return "\n".join(head) + "\n".join(card_markdown(DETECTORS[n]) for n in sorted(DETECTORS))


if __name__ == "__main__":
    print(render(), end="")
