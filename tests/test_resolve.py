"""The probabilistic membership resolver (:func:`ingest.resolve.resolve_splink`).

All people here are invented.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from ingest.nicknames import canonical_forename, forename_keys
from ingest.resolve import FIELDS, SPLINK_METHOD, resolve_exact, resolve_splink

LINK_COLUMNS = [
    "membership_id",
    "officer_id",
    "org_id",
    "since",
    "until",
    "score",
    "matched_on",
    "method",
    "match_weights",
    "candidates",
]


def officers(*rows: tuple[str, str, str, str | None, str | None]) -> pd.DataFrame:
    base = [
        ("900", "Ashworth", "Gareth", "1971-03-09", "LS2 7QT"),
        ("901", "Okafor", "Ngozi", "1985-11-30", "BD5 0AX"),
        ("902", "Hargreaves", "Helen Louise", "1979-06-14", "HX1 2PL"),
    ]
    return pd.DataFrame(
        list(rows) + base, columns=["officer_id", "surname", "forenames", "date_of_birth", "home_postcode"]
    )


def roll(*rows: tuple[str, str, str | None, str | None]) -> pd.DataFrame:
    df = pd.DataFrame(
        rows, columns=["member_surname", "member_forenames", "member_date_of_birth", "member_postcode"]
    )
    df.insert(0, "membership_id", [f"M{i}" for i in range(len(df))])
    df.insert(1, "org_id", "LODGE9")
    df["since"] = "2019-01-01"
    df["until"] = None
    return df


def status(res, mid: str = "M0") -> str:
    return res.report.set_index("membership_id").loc[mid, "status"]


def weights(res, mid: str = "M0") -> dict[str, dict]:
    row = res.links.set_index("membership_id").loc[mid]
    return {w["field"]: w for w in json.loads(row["match_weights"])}


SMITH = ("1", "Smith", "Robert James", "1980-02-01", "AB1 2CD")


def test_nickname_resolves():
    res = resolve_splink(roll(("SMITH", "Bob", "1980-02-01", "ab12cd")), officers(SMITH))
    assert status(res) == "resolved"
    assert res.links[["membership_id", "officer_id"]].values.tolist() == [["M0", "1"]]
    link = res.links.iloc[0]
    assert link["method"] == SPLINK_METHOD
    assert link["matched_on"] == ["surname", "forenames", "date_of_birth", "postcode"]
    assert link["score"] >= 0.95
    assert weights(res)["forenames"]["level"] == "nickname"
    assert link["org_id"] == "LODGE9" and link["since"] == "2019-01-01"


def test_initial_resolves_when_dob_and_postcode_agree():
    res = resolve_splink(roll(("smith", "R.", "1980-02-01", "AB1 2CD")), officers(SMITH))
    assert status(res) == "resolved"
    assert res.links["officer_id"].tolist() == ["1"]
    assert weights(res)["forenames"]["level"] == "initial"
    assert weights(res)["forenames"]["weight"] > 0


def test_initial_alone_does_not_resolve():
    res = resolve_splink(roll(("Smith", "R", None, None)), officers(SMITH))
    assert status(res) == "unresolved"
    assert res.links.empty


def test_namesake_with_other_dob_does_not_resolve():
    res = resolve_splink(roll(("Smith", "Robert", "1962-08-19", "ZZ9 9ZZ")), officers(SMITH))
    assert status(res) == "unresolved"
    assert res.links.empty


def test_namesake_at_same_address_is_for_a_human():
    """Same name and postcode, dates of birth 18 years apart (a father and son): the
    score may clear the threshold, but conflicting dates of birth are never linked."""
    res = resolve_splink(roll(("Smith", "Robert", "1962-08-19", "AB1 2CD")), officers(SMITH))
    assert status(res) != "resolved"
    assert res.links.empty
    rep = res.report.iloc[0]
    if rep["status"] == "ambiguous":
        assert "dates of birth conflict" in rep["reason"]


def test_missing_dob_resolves_on_name_and_postcode():
    """Documented rule: a missing date of birth weighs 0; name + postcode decide."""
    res = resolve_splink(roll(("Smith", "Robert", None, "AB1 2CD")), officers(SMITH))
    assert status(res) == "resolved"
    w = weights(res)
    assert w["date_of_birth"] == {"field": "date_of_birth", "level": "null", "weight": 0.0}
    assert res.links.iloc[0]["matched_on"] == ["surname", "forenames", "postcode"]


def test_missing_dob_and_postcode_does_not_resolve_on_name_alone():
    res = resolve_splink(roll(("Smith", "Robert", None, None)), officers(SMITH))
    assert status(res) == "unresolved"


def test_identical_officers_are_ambiguous_and_not_linked():
    twin = ("2", "Smith", "Robert", "1980-02-01", "AB1 2CD")
    res = resolve_splink(roll(("Smith", "Robert", "1980-02-01", "AB1 2CD")), officers(SMITH, twin))
    assert status(res) == "ambiguous"
    assert res.links.empty
    cands = json.loads(res.report.iloc[0]["candidates"])
    assert {c["officer_id"] for c in cands} == {"1", "2"}
    assert "2 officers score at least 0.95" in res.report.iloc[0]["reason"]


def test_runner_up_within_margin_is_ambiguous():
    near = ("2", "Smith", "Robert", "1980-02-01", "CD9 8EF")
    entry = roll(("Smith", "Robert", "1980-02-01", None))
    res = resolve_splink(entry, officers(SMITH, near), ambiguity_margin=1.0)
    assert status(res) == "ambiguous"
    assert res.links.empty


def test_match_weights_json_explains_the_score():
    res = resolve_splink(roll(("Smith", "Rob", "1980-02-01", "AB1 2CD")), officers(SMITH))
    link = res.links.iloc[0]
    items = json.loads(link["match_weights"])
    assert [w["field"] for w in items] == [*FIELDS, "prior"]
    assert all(isinstance(w["level"], str) and isinstance(w["weight"], float) for w in items)
    assert {w["field"]: w["level"] for w in items}["surname"] == "exact"
    total = sum(w["weight"] for w in items)
    assert 1 / (1 + 2 ** (-total)) == pytest.approx(link["score"], abs=1e-3)
    cands = json.loads(link["candidates"])
    assert cands[0]["officer_id"] == "1" and cands[0]["score"] == pytest.approx(link["score"], abs=1e-6)


def test_columns_and_report_shape():
    res = resolve_splink(
        roll(("Smith", "Bob", "1980-02-01", None), ("Nobody", "Known", "1999-09-09", "QQ1 1QQ")),
        officers(SMITH),
    )
    assert res.links.columns.tolist() == LINK_COLUMNS
    assert res.report.columns.tolist() == ["membership_id", "status", "candidates", "reason"]
    assert res.report["status"].tolist() == ["resolved", "unresolved"]
    assert json.loads(res.report.iloc[1]["candidates"]) == []


@pytest.mark.parametrize("which", ["memberships", "officers", "both"])
def test_empty_inputs(which):
    m = roll(("Smith", "Bob", "1980-02-01", None))
    o = officers(SMITH)
    if which in ("memberships", "both"):
        m = m.iloc[:0]
    if which in ("officers", "both"):
        o = o.iloc[:0]
    res = resolve_splink(m, o)
    assert res.links.empty and res.links.columns.tolist() == LINK_COLUMNS
    assert len(res.report) == len(m)
    assert set(res.report["status"]) <= {"unresolved"}


def test_tiny_input_and_forced_training_do_not_crash():
    m = roll(("SMITH", "bob", "1980-02-01", None), ("jones", "A.", None, None))
    o = officers(SMITH)
    for train in (None, False, True):
        res = resolve_splink(m, o, train=train)
        assert res.report["status"].tolist() == ["resolved", "unresolved"]
        assert "fixed priors" in res.report.iloc[0]["reason"]


def test_without_postcode_columns_and_with_date_types():
    """``ingest.run`` passes no postcodes; dates may arrive as dates or timestamps."""
    m = roll(("Smith", "Robert", "1980-02-01", None)).drop(columns=["member_postcode"])
    m["member_date_of_birth"] = pd.to_datetime(m["member_date_of_birth"])
    o = officers(SMITH).drop(columns=["home_postcode"])
    o["date_of_birth"] = pd.to_datetime(o["date_of_birth"]).dt.date
    res = resolve_splink(m, o)
    assert status(res) == "resolved"
    assert weights(res)["postcode"]["level"] == "null"


def test_threshold_is_configurable():
    m = roll(("Smith", "Robert", None, "AB1 2CD"))
    assert status(resolve_splink(m, officers(SMITH), threshold=0.5)) == "resolved"
    assert status(resolve_splink(m, officers(SMITH), threshold=1.0)) == "unresolved"
    with pytest.raises(ValueError):
        resolve_splink(m, officers(SMITH), threshold=0)


def _synthetic(seed: int, n_officers: int = 400, n_members: int = 40, n_public: int = 80):
    """A small generated force and roll with known truth (invented names)."""
    rng = np.random.default_rng(seed)
    surnames = [
        f"{a}{b}"
        for a in ("Ash", "Black", "Crab", "Dew", "Eccl", "Fair", "Green", "Hol")
        for b in ("worth", "tree", "ley", "hurst", "ton")
    ]
    forenames = [
        "Robert",
        "William",
        "James",
        "Katherine",
        "Elizabeth",
        "Margaret",
        "Thomas",
        "Susan",
        "Owen",
        "Priya",
        "Declan",
        "Mei",
    ]
    nick = {
        "Robert": "Bob",
        "William": "Bill",
        "James": "Jim",
        "Katherine": "Kate",
        "Elizabeth": "Liz",
        "Margaret": "Meg",
        "Thomas": "Tom",
        "Susan": "Sue",
    }

    def day() -> str:
        return (pd.Timestamp("1965-01-01") + pd.Timedelta(days=int(rng.integers(0, 13000)))).strftime(
            "%Y-%m-%d"
        )

    def pc() -> str:
        return f"LS{int(rng.integers(1, 30))} {int(rng.integers(0, 10))}{''.join(rng.choice(list('ABDEFGHJLNPQRSTUWXYZ'), 2))}"

    o = pd.DataFrame(
        {
            "officer_id": [f"O{i}" for i in range(n_officers)],
            "surname": rng.choice(surnames, n_officers),
            "forenames": rng.choice(forenames, n_officers),
            "date_of_birth": [day() for _ in range(n_officers)],
            "home_postcode": [pc() for _ in range(n_officers)],
        }
    )
    rows, truth = [], {}
    for i in rng.choice(n_officers, n_members, replace=False):
        off = o.iloc[int(i)]
        fn = str(off.forenames)
        r = rng.random()
        fn = nick.get(fn, fn) if r < 0.4 else (fn[0] + "." if r < 0.55 else fn.upper())
        mid = f"M{len(rows)}"
        truth[mid] = off.officer_id
        rows.append(
            (
                mid,
                str(off.surname).lower(),
                fn,
                None if rng.random() < 0.2 else off.date_of_birth,
                str(off.home_postcode).replace(" ", ""),
            )
        )
    for i in rng.choice(n_officers, n_members // 2, replace=False):  # namesakes, other dob
        off = o.iloc[int(i)]
        rows.append((f"M{len(rows)}", off.surname, off.forenames, day(), pc()))
    for _ in range(n_public):
        rows.append((f"M{len(rows)}", rng.choice(surnames), rng.choice(forenames), day(), pc()))
    m = pd.DataFrame(
        rows,
        columns=[
            "membership_id",
            "member_surname",
            "member_forenames",
            "member_date_of_birth",
            "member_postcode",
        ],
    )
    m["org_id"], m["since"], m["until"] = "LODGE1", None, None
    return m, o, truth


def test_trained_model_on_generated_data_is_accurate_and_deterministic():
    m, o, truth = _synthetic(7)
    first = resolve_splink(m, o)
    assert first.report["reason"].str.contains("trained").any()
    links = dict(zip(first.links["membership_id"], first.links["officer_id"], strict=True))
    tp = sum(truth.get(k) == v for k, v in links.items())
    assert tp == len(links)  # precision 1.0
    assert tp / len(truth) >= 0.85
    second = resolve_splink(m, o)
    pd.testing.assert_frame_equal(first.links, second.links)
    pd.testing.assert_frame_equal(first.report, second.report)
    for row in first.links.itertuples():
        assert math.isfinite(row.score) and 0.95 <= row.score <= 1


def test_small_input_is_deterministic():
    m = roll(("SMITH", "Bob", "1980-02-01", "ab12cd"), ("Smith", "Robert", "1962-08-19", "AB1 2CD"))
    a, b = resolve_splink(m, officers(SMITH)), resolve_splink(m, officers(SMITH))
    pd.testing.assert_frame_equal(a.links, b.links)
    pd.testing.assert_frame_equal(a.report, b.report)


def test_exact_resolver_unchanged():
    res = resolve_exact(roll(("SMITH", "Robert James", "1980-02-01", None)), officers(SMITH))
    assert res.links["officer_id"].tolist() == ["1"]
    assert res.links["method"].tolist() == ["exact-normalised-name-dob"]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Bob", "Robert", True),
        ("Jon", "Jonathan", True),
        ("Steve", "Steven", True),
        ("Kate", "Catherine", True),
        ("Sam", "Samantha", True),
        ("Sam", "Samuel", True),
        ("Samuel", "Samantha", False),
        ("Helen", "Eleanor", False),
        ("JIMMY", "james", True),
    ],
)
def test_nickname_keys(a, b, same):
    assert bool(set(forename_keys(a)) & set(forename_keys(b))) is same


def test_canonical_forename():
    assert canonical_forename("Bob") == "robert"
    assert canonical_forename("Liz") == "elizabeth"
    assert canonical_forename("Jean-Paul") == "jean"
    assert canonical_forename("Zoë") == "zoe"
    assert canonical_forename(None) is None
    assert canonical_forename("  ") is None
