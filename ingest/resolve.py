"""Resolve outside membership lists (which carry names, not officer ids) to officers.

Two resolvers, same :class:`Resolution` shape:

- :func:`resolve_exact` matches exactly on cleaned surname, cleaned forenames and date
  of birth (see :func:`ingest.clean.clean_name`). A list entry that matches exactly one
  officer is linked with score 1.0 and the fields that matched; one that matches several
  officers is *ambiguous* and is reported for a human, never linked; one with no date of
  birth or no match stays unresolved (the entry itself is still in the graph as a
  ``Membership``).
- :func:`resolve_splink` scores candidate pairs with a Fellegi-Sunter model (Splink on
  an in-process DuckDB): names compared through case, accents, punctuation, hyphens,
  typos, nicknames (:mod:`ingest.nicknames`) and initials, plus date of birth and
  postcode. Each link keeps its match probability, the fields that agreed, the per-field
  match weights (the reviewer's explanation) and the other candidates; a threshold and
  an ambiguity margin decide what is linked and what goes to a human.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ingest.clean import clean_name, clean_postcode, clean_series
from ingest.nicknames import canonical_forename, first_forename, forename_keys

METHOD = "exact-normalised-name-dob"
MATCHED_ON = ["surname", "forenames", "date_of_birth"]


@dataclass
class Resolution:
    links: pd.DataFrame
    """membership_id, officer_id, org_id, since, until, score, matched_on, method"""
    report: pd.DataFrame
    """membership_id, status (resolved|ambiguous|unresolved), candidates, reason"""


def _sorted_list(s: pd.Series) -> list[str]:
    return sorted(s)


def resolve_exact(memberships: pd.DataFrame, officers: pd.DataFrame) -> Resolution:
    """Match membership-list entries to officers.

    >>> m = pd.DataFrame({"membership_id": ["M1", "M2"], "org_id": ["L", "L"],
    ...     "member_surname": ["O'BRIEN", "Smith"], "member_forenames": ["Anne-Marie", "J"],
    ...     "member_date_of_birth": ["1980-02-01", None], "since": [None, None],
    ...     "until": [None, None]})
    >>> o = pd.DataFrame({"officer_id": ["7"], "surname": ["OBrien"],
    ...     "forenames": ["anne marie"], "date_of_birth": ["1980-02-01"]})
    >>> r = resolve_exact(m, o)
    >>> r.links[["membership_id", "officer_id"]].values.tolist()
    [['M1', '7']]
    >>> r.report["status"].tolist()
    ['resolved', 'unresolved']
    """
    m = memberships.assign(
        _s=clean_series(memberships["member_surname"], clean_name),
        _f=clean_series(memberships["member_forenames"], clean_name),
        _d=memberships["member_date_of_birth"].astype("string"),
    )
    o = officers.assign(
        _s=clean_series(officers["surname"], clean_name),
        _f=clean_series(officers["forenames"], clean_name),
        _d=officers["date_of_birth"].astype("string"),
    )[["officer_id", "_s", "_f", "_d"]]
    o = o.dropna(subset=["_s", "_f", "_d"])
    pairs = m.dropna(subset=["_s", "_f", "_d"]).merge(o, on=["_s", "_f", "_d"], how="inner")
    n = pairs.groupby("membership_id")["officer_id"].agg(["count", _sorted_list])
    n.columns = ["count", "candidates"]
    report = m[["membership_id"]].merge(n, left_on="membership_id", right_index=True, how="left")
    report["count"] = report["count"].fillna(0).astype(int)
    report["status"] = "unresolved"
    report.loc[report["count"] == 1, "status"] = "resolved"
    report.loc[report["count"] > 1, "status"] = "ambiguous"
    no_dob = m["_d"].isna().to_numpy()
    report["reason"] = ""
    report.loc[no_dob, "reason"] = "no date of birth on the list entry"
    report.loc[(report["count"] == 0) & ~no_dob, "reason"] = "no officer with this name and date of birth"
    report.loc[report["count"] > 1, "reason"] = "several officers share this name and date of birth"
    report["candidates"] = report["candidates"].map(lambda c: ";".join(c) if isinstance(c, list) else "")
    good = pairs[pairs["membership_id"].isin(report.loc[report["status"] == "resolved", "membership_id"])]
    links = pd.DataFrame(
        {
            "membership_id": good["membership_id"].to_numpy(),
            "officer_id": good["officer_id"].to_numpy(),
            "org_id": good["org_id"].to_numpy(),
            "since": good["since"].to_numpy(),
            "until": good["until"].to_numpy(),
            "score": 1.0,
            "matched_on": [list(MATCHED_ON)] * len(good),
            "method": METHOD,
        }
    )
    report = report[["membership_id", "status", "candidates", "reason"]].reset_index(drop=True)
    return Resolution(links.sort_values("membership_id").reset_index(drop=True), report)


# --------------------------------------------------------------------------------------
# Probabilistic resolution (Fellegi-Sunter, with Splink on DuckDB)
# --------------------------------------------------------------------------------------
SPLINK_METHOD = "splink-fellegi-sunter"
FIELDS = ("surname", "forenames", "date_of_birth", "postcode")
"""The compared fields, in the order they appear in ``match_weights``."""

MIN_OFFICERS_TO_TRAIN = 200
"""Below this many officers (or :data:`MIN_ENTRIES_TO_TRAIN` list entries) the model is
not trained: the documented :data:`LEVELS` priors are used as they are."""
MIN_ENTRIES_TO_TRAIN = 50
PRIOR_MIN_OFFICERS = 1000
"""The prior spreads an entry's chance of being an officer over at least this many
officers, so a tiny (or filtered) officer table does not make weak evidence decisive."""
CANDIDATE_FLOOR = 0.01
"""Pairs scoring below this match probability are not kept as candidates."""
MAX_CANDIDATES = 5
"""At most this many candidates (best first) are kept per list entry."""
BLOCKING: tuple[tuple[str, ...], ...] = (
    ("surname", "forename_initial"),
    ("surname", "forename_canon"),
    ("dob",),
    ("postcode",),
)
"""Pairs are compared only when they agree on one of these (cleaned) column sets: a true
match is missed only if its surname or forename differs *and* its birth date *and* its
postcode differ or are missing -- pairs that could not clear the threshold anyway."""
U_SAMPLE_PAIRS = 5e5
"""Pairs sampled (deterministically, by hash with ``seed``) to estimate u probabilities."""
M_FLOOR = 0.002
"""Smallest m probability a trained level keeps (a weight floor, not a veto)."""


@dataclass(frozen=True)
class Level:
    """One comparison level: its label in ``match_weights`` and its prior m and u.

    ``m`` is P(level | same person), ``u`` is P(level | different people). The priors are
    used as they are when the model is not trained (tiny inputs, or training fails a
    sanity check) and as starting values for training otherwise.
    """

    label: str
    m: float | None = None
    u: float | None = None


# Prior m/u for each comparison level, in Splink's level order (null level first, then
# from the strongest agreement to "different"). Chosen for a roll of outside names
# against a personnel file: u from how often two random people agree at that level,
# m from how often the same person is written that way on an outside list.
LEVELS: dict[str, tuple[Level, ...]] = {
    "surname": (
        Level("null"),
        Level("exact", 0.88, 0.002),
        Level("jaro-winkler >= 0.92", 0.07, 0.003),
        Level("jaro-winkler >= 0.88", 0.03, 0.02),
        Level("different", 0.02, 0.975),
    ),
    "forenames": (
        Level("null"),
        Level("exact", 0.78, 0.01),
        Level("nickname", 0.08, 0.002),
        Level("jaro-winkler >= 0.92", 0.04, 0.004),
        Level("initial", 0.06, 0.004),
        Level("different", 0.04, 0.98),
    ),
    "date_of_birth": (
        Level("null"),
        Level("exact", 0.9, 0.0001),
        Level("one character different", 0.07, 0.002),
        Level("within 1 month", 0.01, 0.002),
        Level("within 1 year", 0.01, 0.03),
        Level("different", 0.01, 0.9659),
    ),
    "postcode": (
        Level("null"),
        Level("exact", 0.7, 0.0005),
        Level("same sector", 0.05, 0.003),
        Level("same district", 0.05, 0.02),
        Level("different", 0.2, 0.9765),
    ),
}


def _gamma_labels(field: str) -> dict[int, str]:
    """Splink's comparison vector value of each level: null -1, then n-1 .. 0."""
    levels = LEVELS[field]
    n = len(levels) - 1
    out = {-1: levels[0].label}
    out.update({n - i: lvl.label for i, lvl in enumerate(levels[1:], start=1)})
    return out


def _comparisons(term_frequencies: bool) -> list[Any]:
    """The Splink comparisons (built from ``splink.comparison_level_library``).

    Surname and forename levels follow ``NameComparison``, date of birth follows
    ``DateOfBirthComparison`` and postcode ``PostcodeComparison``, with nickname and
    initial levels added and labels kept short for the explanation.
    """
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    def conf(field: str, creators: list[Any]) -> Any:
        for lvl, creator in zip(LEVELS[field], creators, strict=True):
            if lvl.m is not None:
                creator.configure(label_for_charts=lvl.label, m_probability=lvl.m, u_probability=lvl.u)
            else:
                creator.configure(label_for_charts=lvl.label)
        return cl.CustomComparison(creators, output_column_name=field)

    def exact(col: str, tf: bool) -> Any:
        level = cll.ExactMatchLevel(col)
        if tf:
            level.configure(tf_adjustment_column=col)
        return level

    return [
        conf(
            "surname",
            [
                cll.NullLevel("surname"),
                exact("surname", term_frequencies),
                cll.JaroWinklerLevel("surname", 0.92),
                cll.JaroWinklerLevel("surname", 0.88),
                cll.ElseLevel(),
            ],
        ),
        conf(
            "forenames",
            [
                cll.NullLevel("forename"),
                exact("forename", term_frequencies),
                cll.ArrayIntersectLevel("forename_keys", 1),
                cll.JaroWinklerLevel("forename", 0.92),
                cll.CustomLevel(
                    "(length(forename_l) = 1 OR length(forename_r) = 1) "
                    "AND left(forename_l, 1) = left(forename_r, 1)"
                ),
                cll.ElseLevel(),
            ],
        ),
        conf(
            "date_of_birth",
            [
                cll.NullLevel("dob"),
                cll.ExactMatchLevel("dob"),
                cll.LevenshteinLevel("dob", 1),
                cll.AbsoluteDateDifferenceLevel(
                    "dob", threshold=1, metric="month", input_is_string=True, datetime_format="%Y-%m-%d"
                ),
                cll.AbsoluteDateDifferenceLevel(
                    "dob", threshold=1, metric="year", input_is_string=True, datetime_format="%Y-%m-%d"
                ),
                cll.ElseLevel(),
            ],
        ),
        conf(
            "postcode",
            [
                cll.NullLevel("postcode"),
                cll.ExactMatchLevel("postcode"),
                cll.ExactMatchLevel("postcode_sector"),
                cll.ExactMatchLevel("postcode_district"),
                cll.ElseLevel(),
            ],
        ),
    ]


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df.columns else pd.Series([None] * len(df), index=df.index, dtype=object)


def _iso_dates(s: pd.Series) -> pd.Series:
    d = pd.to_datetime(s.astype("string"), errors="coerce", format="mixed")
    return d.dt.strftime("%Y-%m-%d").astype(object).where(d.notna(), None)


def _spaced_postcode(v: str | None) -> str | None:
    """``clean_postcode`` with the inward code split off: ``'sw1a1aa'`` -> ``'SW1A 1AA'``."""
    s = clean_postcode(v)
    if s is None or len(s) < 5:
        return s
    return f"{s[:-3]} {s[-3:]}"


def _features(surname: pd.Series, forenames: pd.Series, dob: pd.Series, postcode: pd.Series) -> pd.DataFrame:
    """The compared columns: cleaned surname (no spaces, so hyphen/space/run-together
    compare equal), first forename and its nickname keys, ISO birth date, postcode
    with its sector and district."""
    sur = clean_series(surname, clean_name).map(lambda s: s.replace(" ", "") if isinstance(s, str) else None)
    fore = clean_series(forenames, first_forename)
    pc = clean_series(postcode, _spaced_postcode)
    sector = pc.str.extract(r"^([A-Z]{1,2}[0-9][A-Z0-9]? [0-9])", expand=False)
    district = pc.str.extract(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)", expand=False)
    out = pd.DataFrame(
        {
            "uid": np.arange(len(surname), dtype=np.int64),
            "surname": sur.to_numpy(dtype=object),
            "forename": fore.to_numpy(dtype=object),
            "forename_keys": fore.map(lambda f: forename_keys(f) if isinstance(f, str) else None).to_numpy(
                dtype=object
            ),
            "forename_canon": fore.map(
                lambda f: canonical_forename(f) if isinstance(f, str) else None
            ).to_numpy(dtype=object),
            "forename_initial": fore.str[:1].to_numpy(dtype=object),
            "dob": _iso_dates(dob).to_numpy(dtype=object),
            "postcode": pc.to_numpy(dtype=object),
            "postcode_sector": sector.astype(object).where(sector.notna(), None).to_numpy(dtype=object),
            "postcode_district": district.astype(object).where(district.notna(), None).to_numpy(dtype=object),
        }
    )
    return out


@contextlib.contextmanager
def _quiet_splink() -> Iterator[None]:
    """Splink logs progress and "untrained parameter" warnings; keep only errors."""
    log = logging.getLogger("splink")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def _train(linker: Any, con: Any, seed: int) -> str:
    """Estimate u by (hash-)sampling and m by EM; returns how the model was set.

    EM runs single-threaded so its floating-point sums add up in the same order every
    time (DuckDB's parallel aggregation does not promise an order).
    """
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=seed)
    con.execute("SET threads = 1")
    try:
        from splink import block_on

        for rule in (block_on("dob"), block_on("postcode")):
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
    finally:
        con.execute("RESET threads")
    return "trained: u by sampling, m by EM (blocked on date of birth, then on postcode)"


def _checked_model(model: dict[str, Any]) -> dict[str, Any] | None:
    """The trained model with every m probability floored at :data:`M_FLOOR` (EM drives
    m to ~0 for a level it never saw among matches, which would make that level a
    veto), or ``None`` when it fails the sanity check: every field's best level must be
    evidence for a match and its "different" level evidence against."""
    for comparison in model.get("comparisons", []):
        levels = [lvl for lvl in comparison["comparison_levels"] if not lvl.get("is_null_level")]
        ms = [lvl.get("m_probability") for lvl in levels]
        us = [lvl.get("u_probability") for lvl in levels]
        if any(v is None or not math.isfinite(v) or v < 0 for v in [*ms, *us]) or any(u == 0 for u in us):
            return None
        for lvl, m in zip(levels, ms, strict=True):
            lvl["m_probability"] = max(float(m), M_FLOOR)
        weights = [math.log2(lvl["m_probability"] / lvl["u_probability"]) for lvl in levels]
        if not weights[0] > 0 > weights[-1]:
            return None
    return model


def _empty_links() -> pd.DataFrame:
    cols = ["membership_id", "officer_id", "org_id", "since", "until", "score", "matched_on", "method"]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in [*cols, "match_weights", "candidates"]}).astype(
        {"score": float}
    )


def _predict(
    m_feat: pd.DataFrame,
    o_feat: pd.DataFrame,
    *,
    prior: float,
    train: bool,
    seed: int,
    floor: float,
) -> tuple[pd.DataFrame, str]:
    """Score blocked (officer, entry) pairs; ``o`` / ``m`` columns are row positions."""
    import duckdb
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    def settings(tf: bool) -> Any:
        return SettingsCreator(
            link_type="link_only",
            unique_id_column_name="uid",
            comparisons=_comparisons(tf),
            blocking_rules_to_generate_predictions=[block_on(*cols) for cols in BLOCKING],
            probability_two_random_records_match=prior,
            retain_matching_columns=True,
            retain_intermediate_calculation_columns=True,
            max_iterations=25,
            em_convergence=1e-4,
        )

    how = "fixed priors (input too small to train)"
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")  # linkwatch reports progress itself
    try:
        with _quiet_splink():
            db = DuckDBAPI(con)
            tables = [
                db.register(o_feat, table_name="lw_officers"),
                db.register(m_feat, table_name="lw_members"),
            ]
            linker = Linker(tables, settings(train), log_level=None)
            if train:
                model: dict[str, Any] | None = None
                try:
                    how = _train(linker, con, seed)
                    model = _checked_model(linker.misc.save_model_to_json())
                    if model is None:
                        how = "fixed priors (trained weights failed the sanity check)"
                except Exception as e:  # EM can fail on degenerate data: fall back
                    how = f"fixed priors (training failed: {type(e).__name__})"
                linker = Linker(tables, model if model is not None else settings(False), log_level=None)
            pairs = linker.inference.predict(threshold_match_probability=floor, warning_mode="never")
            df = pairs.as_pandas_dataframe()
    finally:
        con.close()
    left_is_officer = (df["source_dataset_l"] == "lw_officers").to_numpy()
    out = pd.DataFrame(
        {
            "o": np.where(left_is_officer, df["uid_l"], df["uid_r"]).astype(np.int64),
            "m": np.where(left_is_officer, df["uid_r"], df["uid_l"]).astype(np.int64),
            "score": df["match_probability"].astype(float).to_numpy(),
            "match_weight": df["match_weight"].astype(float).to_numpy(),
        }
    )
    for f in FIELDS:
        out[f"gamma_{f}"] = df[f"gamma_{f}"].astype(int).to_numpy()
        weight = df[f"mw_{f}"].astype(float)
        if f"mw_tf_adj_{f}" in df.columns:  # name-frequency adjustment of an exact agreement
            weight = weight + df[f"mw_tf_adj_{f}"].astype(float).fillna(0.0)
        out[f"mw_{f}"] = weight.to_numpy()
    return out, how


def resolve_splink(
    memberships: pd.DataFrame,
    officers: pd.DataFrame,
    *,
    threshold: float = 0.95,
    ambiguity_margin: float = 0.05,
    seed: int = 20240601,
    prior_member_rate: float = 0.1,
    train: bool | None = None,
) -> Resolution:
    """Match membership-list entries to officers with a scored (Fellegi-Sunter) model.

    Each entry is compared with the officers it shares a *block* with (same cleaned
    surname, same date of birth, or same postcode) on four fields: surname, first
    forename (exact, nickname, typo, or initial), date of birth and postcode (full,
    sector, district). Splink (DuckDB, in-process) gives each field a match weight
    (log2 Bayes factor) and the pair a match probability.

    Rules (all per list entry):

    - **candidates**: officers scoring at least ``min(0.01, threshold)``, best first, at
      most 5, with score, weight and matched fields;
    - **resolved** (and linked) when exactly one officer scores ``>= threshold``, no
      other candidate scores within ``ambiguity_margin`` of it, and its date of birth
      does not *conflict* (both known and not equal, one character apart, or within a
      year);
    - **ambiguous** (reported for a human, not linked) when two or more officers score
      ``>= threshold``, or the runner-up is within ``ambiguity_margin`` of the best, or
      the only officer above the threshold has a conflicting date of birth (a namesake
      at the same address, or a mistyped date: a person has to look);
    - **unresolved** otherwise.

    A **missing date of birth** contributes weight 0: the entry is decided on name and
    postcode alone and resolves if that clears the threshold with no close rival (an
    exact surname, forename and postcode usually does; a name alone does not).

    The prior (``probability_two_random_records_match``) is ``prior_member_rate`` /
    max(number of officers, :data:`PRIOR_MIN_OFFICERS`): an entry is taken to be *some*
    officer with probability ``prior_member_rate``, spread evenly. **Training**: with at least
    :data:`MIN_OFFICERS_TO_TRAIN` officers and :data:`MIN_ENTRIES_TO_TRAIN` entries
    (or ``train=True``), u probabilities are estimated from a deterministic hash sample
    of pairs (``seed``) and m probabilities by EM (blocked on surname, then on date of
    birth), and exact name agreements are weighted by name frequency. Smaller inputs,
    ``train=False``, a training error, or trained weights that fail a sanity check
    (every field's best level must count for a match and "different" against) use the
    documented priors in :data:`LEVELS` without frequency weighting. The report's
    ``reason`` says which. The same inputs and seed give the same output.

    Parameters
    ----------
    memberships : DataFrame
        ``membership_id, org_id, member_surname, member_forenames,
        member_date_of_birth, since, until`` and optionally ``member_postcode``.
    officers : DataFrame
        ``officer_id, surname, forenames, date_of_birth`` and optionally
        ``home_postcode``.
    threshold : float
        Match probability at or above which a candidate counts.
    ambiguity_margin : float
        A runner-up within this much probability of the best makes the entry ambiguous.
    seed : int
        Seed of the u-probability sample.
    prior_member_rate : float
        Expected share of list entries that are officers.
    train : bool, optional
        Force training on or off; by default by input size.

    Returns
    -------
    Resolution
        ``links``: membership_id, officer_id, org_id, since, until, score (match
        probability), matched_on (fields agreeing at a positive, non-null level),
        method, match_weights (JSON: ``[{"field", "level", "weight"}, ...]``, one per
        field, then the ``prior``; they add up to the pair's match weight) and
        candidates (JSON: ``[{"officer_id", "score", "match_weight", "matched_on"}]``).
        ``report``: membership_id, status, candidates (JSON as above), reason.

    Examples
    --------
    >>> m = pd.DataFrame({"membership_id": ["M1", "M2"], "org_id": ["L", "L"],
    ...     "member_surname": ["SMITH", "Smith"], "member_forenames": ["Bob", "Robert"],
    ...     "member_date_of_birth": ["1980-02-01", "1961-07-30"],
    ...     "member_postcode": ["ab1 2cd", "ZZ9 9ZZ"], "since": [None, None], "until": [None, None]})
    >>> o = pd.DataFrame({"officer_id": ["7", "8"], "surname": ["Smith", "Jones"],
    ...     "forenames": ["Robert James", "Anne"], "date_of_birth": ["1980-02-01", "1975-05-05"],
    ...     "home_postcode": ["AB1 2CD", "AB1 2CD"]})
    >>> r = resolve_splink(m, o)
    >>> r.links[["membership_id", "officer_id", "matched_on"]].values.tolist()
    [['M1', '7', ['surname', 'forenames', 'date_of_birth', 'postcode']]]
    >>> r.report["status"].tolist()
    ['resolved', 'unresolved']
    >>> [(w["field"], w["level"]) for w in json.loads(r.links["match_weights"][0])][:2]
    [('surname', 'exact'), ('forenames', 'nickname')]
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if ambiguity_margin < 0:
        raise ValueError(f"ambiguity_margin must be >= 0, got {ambiguity_margin}")
    if not 0 < prior_member_rate <= 1:
        raise ValueError(f"prior_member_rate must be in (0, 1], got {prior_member_rate}")
    memberships = memberships.reset_index(drop=True)
    officers = officers.reset_index(drop=True)
    n_m, n_o = len(memberships), len(officers)
    floor = min(CANDIDATE_FLOOR, threshold)
    report = pd.DataFrame(
        {
            "membership_id": memberships["membership_id"].to_numpy() if n_m else pd.Series(dtype=object),
            "status": "unresolved",
            "candidates": "[]",
            "reason": "no officers to match against",
        }
    )
    if n_m == 0 or n_o == 0:
        return Resolution(_empty_links(), report)

    m_feat = _features(
        memberships["member_surname"],
        memberships["member_forenames"],
        _column(memberships, "member_date_of_birth"),
        _column(memberships, "member_postcode"),
    )
    o_feat = _features(
        officers["surname"],
        officers["forenames"],
        _column(officers, "date_of_birth"),
        _column(officers, "home_postcode"),
    )
    if train is None:
        train = n_o >= MIN_OFFICERS_TO_TRAIN and n_m >= MIN_ENTRIES_TO_TRAIN
    prior = prior_member_rate / max(n_o, PRIOR_MIN_OFFICERS)
    pairs, how = _predict(m_feat, o_feat, prior=prior, train=train, seed=seed, floor=floor)
    return _decide(memberships, officers, pairs, threshold, ambiguity_margin, floor, prior, how, report)


@dataclass(frozen=True)
class _Pair:
    """One scored (officer, list entry) pair."""

    o: int
    oid: str
    score: float
    match_weight: float
    gammas: tuple[int, ...]
    weights: tuple[float, ...]

    @property
    def matched_on(self) -> list[str]:
        return [f for f, g, w in zip(FIELDS, self.gammas, self.weights, strict=True) if g > 0 and w > 0]

    def candidate(self) -> dict[str, Any]:
        return {
            "officer_id": self.oid,
            "score": round(self.score, 6),
            "match_weight": round(self.match_weight, 2),
            "matched_on": self.matched_on,
        }

    def explanation(self, prior: float) -> str:
        items: list[dict[str, Any]] = [
            {"field": f, "level": _gamma_labels(f).get(g, "?"), "weight": round(w, 2)}
            for f, g, w in zip(FIELDS, self.gammas, self.weights, strict=True)
        ]
        prior_weight = round(math.log2(prior / (1 - prior)), 2)
        items.append({"field": "prior", "level": f"1 in {1 / prior:,.0f} pairs", "weight": prior_weight})
        return json.dumps(items)


def _pairs_by_entry(pairs: pd.DataFrame, officer_ids: np.ndarray) -> dict[int, list[_Pair]]:
    """Scored pairs grouped by list-entry position, best first (ties by officer id)."""
    oid = officer_ids[pairs["o"].to_numpy()].astype(str)
    pairs = pairs.assign(oid=oid).sort_values(
        ["m", "score", "oid"], ascending=[True, False, True], kind="mergesort"
    )
    m = pairs["m"].to_numpy(dtype=np.int64)
    o = pairs["o"].to_numpy(dtype=np.int64)
    oids = pairs["oid"].to_numpy(dtype=object)
    score = pairs["score"].to_numpy(dtype=float)
    mw = pairs["match_weight"].to_numpy(dtype=float)
    gammas = np.column_stack([pairs[f"gamma_{f}"].to_numpy(dtype=np.int64) for f in FIELDS])
    weights = np.column_stack([pairs[f"mw_{f}"].to_numpy(dtype=float) for f in FIELDS])
    out: dict[int, list[_Pair]] = {}
    for k in range(len(pairs)):
        out.setdefault(int(m[k]), []).append(
            _Pair(
                o=int(o[k]),
                oid=str(oids[k]),
                score=float(score[k]),
                match_weight=float(mw[k]),
                gammas=tuple(int(g) for g in gammas[k]),
                weights=tuple(float(w) for w in weights[k]),
            )
        )
    return out


def _decide(
    memberships: pd.DataFrame,
    officers: pd.DataFrame,
    pairs: pd.DataFrame,
    threshold: float,
    margin: float,
    floor: float,
    prior: float,
    how: str,
    report: pd.DataFrame,
) -> Resolution:
    """Apply the candidate, ambiguity and threshold rules to scored pairs."""
    officer_ids = officers["officer_id"].to_numpy()
    status = report["status"].to_numpy(dtype=object).copy()
    reason = np.full(len(report), f"no officer scores at least {floor:g}", dtype=object)
    cand_json = np.full(len(report), "[]", dtype=object)
    link_rows: list[dict[str, Any]] = []
    dob = FIELDS.index("date_of_birth")
    dob_conflict = 0  # Splink's comparison vector value of the "different" level

    def col(name: str, i: int) -> Any:
        return memberships.at[i, name] if name in memberships.columns else None

    for i, rows in _pairs_by_entry(pairs, officer_ids).items():
        cands = json.dumps([p.candidate() for p in rows[:MAX_CANDIDATES]])
        cand_json[i] = cands
        above = [p for p in rows if p.score >= threshold]
        best = rows[0]
        runner_up = rows[1] if len(rows) > 1 else None
        if not above:
            reason[i] = f"best candidate {best.oid} scores {best.score:.3f} < {threshold:g}"
            continue
        status[i] = "ambiguous"
        if len(above) > 1:
            reason[i] = f"{len(above)} officers score at least {threshold:g}"
        elif runner_up is not None and runner_up.score >= best.score - margin:
            reason[i] = f"runner-up {runner_up.oid} scores within {margin:g} of {best.oid}"
        elif best.gammas[dob] == dob_conflict:
            reason[i] = f"{best.oid} scores {best.score:.3f} but the dates of birth conflict"
        else:
            status[i] = "resolved"
            reason[i] = f"{best.oid} scores {best.score:.3f}; model: {how}"
            link_rows.append(
                {
                    "membership_id": col("membership_id", i),
                    "officer_id": officer_ids[best.o],
                    "org_id": col("org_id", i),
                    "since": col("since", i),
                    "until": col("until", i),
                    "score": best.score,
                    "matched_on": best.matched_on,
                    "method": SPLINK_METHOD,
                    "match_weights": best.explanation(prior),
                    "candidates": cands,
                }
            )
    report = report.assign(status=status, candidates=cand_json, reason=reason)
    links = pd.DataFrame(link_rows) if link_rows else _empty_links()
    links = links.sort_values("membership_id", kind="mergesort").reset_index(drop=True)
    return Resolution(links, report)
