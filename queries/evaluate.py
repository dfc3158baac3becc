"""``linkwatch evaluate TRUTH FLAGS``: precision, recall and F1 per detector.

A planted case (a ``truth.csv`` row, or all rows sharing a ``group_id``) is *found* when
a flag of the same detector names that officer (or any member of the group) with a
window that overlaps the planted window. A flag is *correct* when it names an officer
of a planted case of its detector with an overlapping window. Empty window ends are
open.

>>> truth = pd.DataFrame({"officer_id": ["1", "2", "3", "4"], "detector": ["a.x"] * 3 + ["a.y"],
...     "group_id": ["", "", "", ""], "window_start": ["2024-01-01"] * 4, "window_end": ["2024-02-01"] * 4})
>>> flags = pd.DataFrame({"officer_id": ["1", "2", "9"], "detector": ["a.x"] * 3, "group_id": ["", "", ""],
...     "window_start": ["2024-01-15T00:00:00Z", "2025-01-01T00:00:00Z", ""], "window_end": ["", "", ""]})
>>> evaluate(truth, flags)[["detector", "cases", "found", "flags", "correct", "precision", "recall"]].values.tolist()
[['a.x', 3, 1, 3, 1, 0.333, 0.333], ['a.y', 1, 0, 0, 0, None, 0.0], ['overall', 4, 1, 3, 1, 0.333, 0.25]]

Per form (``truth.csv`` and ``lookalikes.csv`` name the form of each planted case and
look-alike in a ``form`` column; a truth without one counts as form ``NO_FORM``):

>>> truth["form"] = ["f1", "f1", "f2", "g1"]
>>> evaluate_forms(truth, flags).values.tolist()
[['a.x', 'f1', 2, 1, 0.5], ['a.x', 'f2', 1, 0, 0.0], ['a.y', 'g1', 1, 0, 0.0]]
>>> looks = pd.DataFrame({"officer_id": ["9", "5"], "detector": ["a.x", "a.x"], "form": ["l1", "l2"]})
>>> lookalikes_flagged(looks, flags).values.tolist()
[['a.x', 'l1', 1, 1, '9'], ['a.x', 'l2', 1, 0, '']]
"""

from __future__ import annotations

import pandas as pd

COLUMNS = ["detector", "cases", "found", "flags", "correct", "precision", "recall", "f1"]


def _ts(s: pd.Series, default: pd.Timestamp, *, end: bool = False) -> pd.Series:
    """Parse window bounds; a date-only end covers its whole day."""
    v = pd.to_datetime(s.replace("", None), utc=True, errors="coerce", format="mixed")
    v = v.astype("datetime64[ns, UTC]")
    if end:
        date_only = s.str.len() == 10
        v = v.where(~date_only, v + pd.Timedelta(days=1) - pd.Timedelta(seconds=1))
    return v.fillna(default)


NO_FORM = "(none)"
"""The form of a planted case or look-alike whose file has no ``form`` column (older forces)."""
FORM_COLUMNS = ["detector", "form", "cases", "found", "recall"]
LOOKALIKE_COLUMNS = ["detector", "form", "lookalikes", "flagged", "officers"]


def _match(truth: pd.DataFrame, flags: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The truth (with its ``case`` key and form), the flags (with a ``row`` number) and the
    (flag, planted case) pairs of one detector and officer whose windows overlap."""
    lo, hi = pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC")
    t = truth.fillna("").astype(str).copy()
    f = flags.fillna("").astype(str).copy()
    if "form" not in t.columns:
        t["form"] = ""
    t["form"] = t["form"].where(t["form"] != "", NO_FORM)
    t["case"] = t["detector"] + "|" + t["group_id"].where(t["group_id"] != "", "officer:" + t["officer_id"])
    t["ts"], t["te"] = _ts(t["window_start"], lo), _ts(t["window_end"], hi, end=True)
    f["fs"], f["fe"] = _ts(f["window_start"], lo), _ts(f["window_end"], hi, end=True)
    f["row"] = range(len(f))
    pairs = f[["detector", "officer_id", "row", "fs", "fe"]].merge(
        t[["detector", "officer_id", "case", "ts", "te"]], on=["detector", "officer_id"], how="inner"
    )
    pairs = pairs[(pairs["fs"] <= pairs["te"]) & (pairs["fe"] >= pairs["ts"])]
    return t, f, pairs


def evaluate(truth: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """One row per detector (those in the truth or the flags) and an ``overall`` row."""
    t, f, pairs = _match(truth, flags)
    out = []
    for det in sorted(set(t["detector"]) | set(f["detector"])):
        cases = t.loc[t["detector"] == det, "case"].nunique()
        found = pairs.loc[pairs["detector"] == det, "case"].nunique()
        n_flags = int((f["detector"] == det).sum())
        correct = pairs.loc[pairs["detector"] == det, "row"].nunique()
        out.append(_row(det, cases, found, n_flags, correct))
    out.append(_row("overall", t["case"].nunique(), pairs["case"].nunique(), len(f), pairs["row"].nunique()))
    return pd.DataFrame(out, columns=COLUMNS, dtype=object)


def evaluate_forms(truth: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """Recall per detector and form of the planted cases (a group case takes the form of
    its first row); found as in :func:`evaluate`."""
    t, _f, pairs = _match(truth, flags)
    cases = t.sort_values(["case", "form"]).drop_duplicates("case")[["detector", "case", "form"]]
    cases["found"] = cases["case"].isin(set(pairs["case"]))
    out = cases.groupby(["detector", "form"], sort=True).agg(cases=("case", "size"), found=("found", "sum"))
    out = out.reset_index()
    out["found"] = out["found"].astype(int)
    out["recall"] = (out["found"] / out["cases"]).round(3)
    return out[FORM_COLUMNS].astype(object).reset_index(drop=True)


def lookalikes_flagged(lookalikes: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """Per detector and look-alike form: the look-alikes planted, how many of them any flag
    of that detector names (whatever its window), and those officers (``;``-separated)."""
    lk = lookalikes.fillna("").astype(str).copy()
    if "form" not in lk.columns:
        lk["form"] = ""
    lk["form"] = lk["form"].where(lk["form"] != "", NO_FORM)
    lk = lk.drop_duplicates(["detector", "officer_id", "form"])
    named = set(zip(flags["detector"].astype(str), flags["officer_id"].astype(str), strict=True))
    lk["flagged"] = [(d, o) in named for d, o in zip(lk["detector"], lk["officer_id"], strict=True)]
    out = []
    for (det, form), g in lk.groupby(["detector", "form"], sort=True):
        hit = sorted(g.loc[g["flagged"], "officer_id"])
        out.append([det, form, len(g), len(hit), ";".join(hit)])
    return pd.DataFrame(out, columns=LOOKALIKE_COLUMNS, dtype=object)


def _row(det: str, cases: int, found: int, n_flags: int, correct: int) -> list[object]:
    p = round(correct / n_flags, 3) if n_flags else None
    r = round(found / cases, 3) if cases else None
    f1 = round(2 * p * r / (p + r), 3) if p and r else (0.0 if p is not None and r is not None else None)
    return [det, cases, found, n_flags, correct, p, r, f1]
