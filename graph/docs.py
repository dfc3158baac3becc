"""Render the data model (and the source contract) as Markdown:
``python -m graph.docs > docs/data-model.md`` (a test checks the file is current)."""

from __future__ import annotations

from graph.contract import TABLE_LIST
from graph.model import MODEL, PROVENANCE


def render() -> str:
    """The data model and the source contract as one Markdown page.

    Returns
    -------
    str
        Three tables: node labels, relationship types (from :data:`graph.model.MODEL`)
        and source tables (from :data:`graph.contract.TABLE_LIST`); the text of
        ``docs/data-model.md``.

    Examples
    --------
    >>> page = render()
    >>> page.splitlines()[0]
    '# Data model'
    >>> "| `Officer` | `officer_id` | officers |" in page
    True
    """
    out = [
        "# Data model",
        "",
        "Generated from `graph/model.py` and `graph/contract.py` (`python -m graph.docs > docs/data-model.md`).",
        "",
        "Every node has `uid` = `<Label>:<key>`; every relationship has `key` (a hash of its ends and a "
        "discriminator), `src` and `dst` (the end uids). Both carry the provenance columns: "
        + ", ".join(f"`{p.name}`" for p in PROVENANCE)
        + ".",
        "",
        "## Nodes",
        "",
        "| label | key | from table | properties | description |",
        "|---|---|---|---|---|",
    ]
    for n in MODEL.nodes:
        props = ", ".join(
            f"`{p.name}`{'' if p.type == 'string' else ' ' + p.type}{' (protected)' if p.protected else ''}"
            for p in n.props
        )
        out.append(
            f"| `{n.label}` | `{n.key}` | {n.source_table or '(derived)'} | {props} | {n.description} |"
        )
    out += [
        "",
        "## Relationships",
        "",
        "| type | ends | from table | properties | description |",
        "|---|---|---|---|---|",
    ]
    for r in MODEL.relationships:
        ends = "<br>".join(f"{a} → {b}" for a, b in r.ends)
        props = ", ".join(f"`{p.name}`{'' if p.type == 'string' else ' ' + p.type}" for p in r.props) or "—"
        source = r.source_table or "(derived)"
        if r.link is not None:  # the columns a row makes it from
            source += f" (`{r.link.src}` → `{r.link.dst}`" + (
                f", by `{r.link.discriminator}`)" if r.link.discriminator else ")"
            )
        elif r.source_table:
            source += " (derived)"
        out.append(f"| `{r.type}` | {ends} | {source} | {props} | {r.description} |")
    out += [
        "",
        "## Source tables (contract version 1)",
        "",
        "| table | kind | key | columns (* required, → reference) |",
        "|---|---|---|---|",
    ]
    for t in TABLE_LIST:
        cols = ", ".join(
            f"`{c.name}`{'*' if c.required else ''}{' → ' + c.ref if c.ref else ''}" for c in t.columns
        )
        key = ", ".join(t.key_columns)
        out.append(f"| `{t.name}` | {t.kind} | {key} | {cols} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render(), end="")
