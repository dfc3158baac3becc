"""Declarations that name their organisation in free text: the one organisation an
investigator would accept, never one of two look-alikes (ingest/orgnames.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.orgnames import match_org
from ingest.transform import declaration_targets

ORGS = [
    ("B1", "Ashworth Security Services Ltd"),
    ("B2", "Ashworth Security Solutions Ltd"),
    ("B3", "Kingsmere Autos Ltd"),
    ("B4", "Kingsmere Motors Ltd"),
    ("B5", "Wexcombe Doors & Windows Ltd"),
    ("B6", "Harbourside Holdings PLC"),
    ("L1", "Kingsmere Lodge No. 4721"),
    ("L2", "Kingsmere Lodge No. 4712"),
    ("L3", "Lodge of Fidelity No. 3318"),
    ("R1", "St Mary's Parish Church"),
    ("C1", "Vale Food Bank Trust"),
    ("C2", "Vale Food Bank"),
]


@pytest.mark.parametrize(
    ("written", "org", "method"),
    [
        ("Ashworth Security Services Ltd", "B1", "exact_name"),
        ("ASHWORTH SECURITY SERVICES LTD.", "B1", "exact_name"),
        ("Ashworth Security Services Limited", "B1", "normalised_name"),
        ("Ashworth Security Svcs Ltd", "B1", "normalised_name"),
        ("Ashworth Security Solutions Limited", "B2", "normalised_name"),
        ("Kingsmere Autos", "B3", "normalised_name"),
        ("Wexcombe Doors and Windows Limited", "B5", "normalised_name"),
        ("Harbourside Holdings Public Limited Company", "B6", "normalised_name"),
        ("Kingsmere Lodge 4721", "L1", "normalised_name"),
        ("Kingsmere Lodge Number 4712", "L2", "normalised_name"),
        ("The Lodge of Fidelity No 3318", "L3", "exact_name"),
        ("Fidelity Lodge No. 3318", "L3", "reordered_words"),
        ("Saint Marys Parish Church", "R1", "normalised_name"),
        ("Ashworht Security Services Ltd", "B1", "close_spelling"),
        ("Kingsmere Moters Ltd", "B4", "close_spelling"),
    ],
)
def test_one_organisation_plainly_meant(written: str, org: str, method: str) -> None:
    assert match_org(written, ORGS) == (org, method)


@pytest.mark.parametrize(
    "written",
    [
        "Kingsmere Lodge No. 4722",  # a number is never a letter off
        "Kingsmere Lodge",  # which of the two lodges?
        "Kingsmere Auto Motors Ltd",  # a word too many
        "Ashworth Security",  # a word missing
        "ASS Ltd",  # initials are not guessed
        "Kingsmere Golf Club",
        "Sports coaching",
    ],
)
def test_no_organisation_guessed(written: str) -> None:
    assert match_org(written, ORGS)[0] is None


def test_similar_names_of_two_organisations_never_cross() -> None:
    # Autos and Motors, Services and Solutions, 4721 and 4712: each name finds its own
    assert match_org("Kingsmere Autos Limited", ORGS)[0] == "B3"
    assert match_org("Kingsmere Motors Limited", ORGS)[0] == "B4"
    assert match_org("Ashworth Security Solutions", ORGS)[0] == "B2"
    assert match_org("Kingsmere Lodge 4712", ORGS)[0] == "L2"
    # "Vale Food Bank Trust" names the trust; "Vale Food Bank" the bank
    assert match_org("The Vale Food Bank Trust", ORGS)[0] == "C1"
    assert match_org("Vale Food Bank", ORGS)[0] == "C2"


def test_ambiguous_name_links_to_neither() -> None:
    orgs = [("O1", "Acme Ltd"), ("O2", "Acme LLP")]
    assert match_org("Acme", orgs) == (None, "ambiguous")
    assert match_org("Acme Ltd", orgs) == ("O1", "exact_name")
    d = pd.DataFrame(
        {"declaration_id": ["D1", "D2"], "org_id": [None, None], "org_name": ["Acme", "ACME LTD"]}
    )
    o = pd.DataFrame({"org_id": ["O1", "O2"], "name": ["Acme Ltd", "Acme LLP"]})
    out = declaration_targets(d, o)
    assert out[["src", "dst", "method"]].values.tolist() == [
        ["Declaration:D2", "Organisation:O1", "exact_name"]
    ]


LODGES = [
    ("L1", "St John Lodge No. 123"),
    ("L2", "Kingsmere Lodge No. 4721"),
    ("L3", "Kingsmere Lodge No. 4712"),
    ("L4", "Lodge of Harmony"),
    ("B1", "Masonic Hall Company Ltd"),
    ("C1", "St John Ambulance"),
]


@pytest.mark.parametrize(
    ("written", "org", "method"),
    [
        ("St John Lodge No. 123", "L1", "exact_name"),
        ("Lodge of St John No 123", "L1", "reordered_words"),
        ("Freemasons - St John Lodge No. 123", "L1", "normalised_name"),
        ("Lodge of St John (masonic)", "L1", "lodge_number_left_out"),
        ("Freemasons - Lodge of St John", "L1", "lodge_number_left_out"),
        ("Saint John's Lodge", None, ""),  # 'johns' is not 'john': no word is guessed
        ("St John Lodge", "L1", "lodge_number_left_out"),
        ("Harmony Lodge No. 555", "L4", "lodge_number_left_out"),
        ("Freemasonry: Lodge of Harmony", "L4", "normalised_name"),
        ("Masonic Hall Company Ltd", "B1", "exact_name"),  # not a lodge: every word counts
    ],
)
def test_a_lodge_written_in_free_text(written: str, org: str | None, method: str) -> None:
    assert match_org(written, LODGES) == (org, method)


@pytest.mark.parametrize(
    "written",
    [
        "St John Lodge No. 124",  # another lodge's number
        "Kingsmere Lodge",  # two lodges of that name: which?
        "Freemasons - Kingsmere Lodge",
        "St John",  # the ambulance, the lodge, or neither
        "Hall Company Ltd",  # "masonic" only goes from a lodge's name
    ],
)
def test_a_lodge_is_never_guessed(written: str) -> None:
    assert match_org(written, LODGES)[0] is None
