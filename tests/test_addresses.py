"""Addresses that mean one place: the address identifier is the cleaned address line
together with the cleaned postcode (:func:`ingest.clean.address_key`)."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.clean import address_key, clean_address, clean_name, clean_postcode, postcode_in_line
from ingest.identifiers import identifier_links

ONE_PLACE = [
    # (line, postcode) pairs that are one address
    [
        ("Flat 2, 10 High St.", "ZZ1 1AA"),
        ("2/10 High Street", "zz11aa"),
        ("FLAT 2 10 HIGH STREET", "ZZ1  1AA"),
    ],
    [
        ("Apartment 2, 10 High St", "ZZ1 1AA"),
        ("Apt. 2, 10 High Street", "ZZ1 1AA"),
        ("10 High St, Flat 2", "ZZ1 1AA"),
    ],
    [("Unit 4, 7 Mill Rd", "ZZ2 2BB"), ("Unit 4 7 Mill Road", "ZZ22BB"), ("4/7 Mill Road", "ZZ2 2BB")],
    [("10-12 Station Rd", "ZZ3 3CC"), ("10 - 12 Station Road", "ZZ3 3CC"), ("10–12 Station Road", "ZZ3 3CC")],
    [("10 to 12 Station Road", "ZZ3 3CC"), ("10-12 STATION RD.", "ZZ3 3CC")],
    [("3 Elm Ave", "ZZ4 4DD"), ("3 Elm Avenue", "ZZ4 4DD"), ("No. 3 Elm Avenue", "ZZ4 4DD")],
    [("5 Oak Ln", "ZZ5 5EE"), ("5 Oak Lane", "ZZ5 5EE")],
    [("6 Ash Cl", "ZZ6 6FF"), ("6 Ash Close", "ZZ6 6FF")],
    [("7 Beech Dr", "ZZ7 7GG"), ("7 Beech Drive", "ZZ7 7GG")],
    [("8 Birch Cres", "ZZ8 8HH"), ("8 Birch Crescent", "ZZ8 8HH")],
    [("9 St John's Rd", "ZZ9 9JJ"), ("9 St Johns Road", "ZZ9 9JJ"), ("9 Saint John's Road", "ZZ9 9JJ")],
    [("10a High Street", "ZZ1 1AA"), ("10A High St", "ZZ1 1AA"), ("10 A High Street", "ZZ1 1AA")],
    # the town, and a postcode repeated in the line, do not change the place
    [("10 High Street, Exampletown", "ZZ1 1AA"), ("10 High St", "ZZ1 1AA"), ("10 High St, ZZ1 1AA", None)],
    [("Flat 2, 10 High St, Sampleford", "ZZ1 1AA"), ("2/10 High St", "ZZ1 1AA")],
    [
        ("Flat 2, Rose Court, 10 High St", "ZZ1 1AA"),
        ("Rose Court, 10 High Street, Flat 2", "ZZ1 1AA"),
        ("2/10 High St", "ZZ1 1AA"),
    ],
    [("2nd Floor Flat, 10 High St", "ZZ1 1AA"), ("2nd floor, 10 High Street", "ZZ1 1AA")],
    [("Jose's Cottage, Mill Ln", "ZZ2 2BB"), ("José’s Cottage, Mill Lane", "ZZ2 2BB")],
    # a comma after the house number
    [("25, Church Road", "ZZ3 3CC"), ("25 Church Rd", "zz33cc"), ("25 Church Road, Exampleton", "ZZ3 3CC")],
    [("10-12, Station Rd", "ZZ3 3CC"), ("10 - 12 Station Road", "ZZ3 3CC")],
    # a named building with no house number, and its town
    [
        ("Flat 9, Harbour View, Exampletown", "ZZ4 4DD"),
        ("Flat 9, Harbour View", "ZZ4 4DD"),
        ("FLAT 9, HARBOUR VIEW", "zz44dd"),
    ],
    [("Rose Cottage, Mill Lane, Sampleford", "ZZ5 5EE"), ("Rose Cottage, Mill Ln", "ZZ5 5EE")],
    # a flat of a named building on a numbered street, with and without commas or the word "flat"
    [
        ("Flat 22, Riverside House, 105 Mill Road", "ZZ6 6FF"),
        ("22 RIVERSIDE HOUSE 105 MILL RD", "ZZ6 6FF"),
        ("Flat 22 Riverside House 105 Mill Rd", "zz66ff"),
        ("22 Riverside House, 105 Mill Road", "ZZ6 6FF"),
        ("22, Riverside House, 105 Mill Rd.", "ZZ6 6FF"),
        ("Apartment 22, Riverside House, 105 Mill Road", "ZZ6 6FF"),
        ("Apt 22 Riverside Ho 105 Mill Rd", "ZZ6 6FF"),
        ("22/105 Mill Road", "ZZ6 6FF"),
        ("Riverside House, 22/105 Mill Rd", "ZZ6 6FF"),
        ("Flat 22, 105 Mill Road, Exampletown", "ZZ6 6FF"),
    ],
    [
        ("Flat 8, Beacon Court, 41 Clover Lane", "ZZ7 7GG"),
        ("Flat 8 Beacon Ct 41 Clover Ln", "ZZ7 7GG"),
        ("8 Beacon Ct 41 Clover Ln", "ZZ7 7GG"),
        ("Apt. 8, Beacon Court, 41 Clover Ln", "ZZ7 7GG"),
        ("8/41 Clover Lane", "ZZ7 7GG"),
    ],
    [
        ("Apartment 3, 105 Mill Road", "ZZ6 6FF"),
        ("Apt 3 105 Mill Rd", "ZZ6 6FF"),
        ("3/105 Mill Rd", "ZZ6 6FF"),
    ],
    [("Rose Court 10 High St", "ZZ1 1AA"), ("Rose Court, 10 High Street", "ZZ1 1AA")],
    [("2nd Floor Flat 10 High St", "ZZ1 1AA"), ("2nd Floor Flat, 10 High Street", "ZZ1 1AA")],
]

TWO_PLACES = [
    # namesake streets: the same line in other postcodes
    (("12 High Street", "ZZ1 1AA"), ("12 High Street", "ZZ9 9ZZ")),
    (("Flat 2, 10 High St", "ZZ1 1AA"), ("2/10 High Street", "ZZ1 1AB")),
    # another flat of one building, another house, a range is not one of its numbers
    (("Flat 1, 10 High Street", "ZZ1 1AA"), ("Flat 2, 10 High Street", "ZZ1 1AA")),
    (("Flat 2, 10 High Street", "ZZ1 1AA"), ("10 High Street", "ZZ1 1AA")),
    (("10a High Street", "ZZ1 1AA"), ("10 High Street", "ZZ1 1AA")),
    (("10-12 High Street", "ZZ1 1AA"), ("10 High Street", "ZZ1 1AA")),
    (("12 High Street", "ZZ1 1AA"), ("12 High Road", "ZZ1 1AA")),
    (("1/10 High Street", "ZZ1 1AA"), ("10/1 High Street", "ZZ1 1AA")),
    (("2nd Floor Flat, 10 High St", "ZZ1 1AA"), ("Ground Floor Flat, 10 High St", "ZZ1 1AA")),
    (("Rose Cottage, Mill Lane", "ZZ1 1AA"), ("Ivy Cottage, Mill Lane", "ZZ1 1AA")),
    (("25, Church Road", "ZZ3 3CC"), ("25, Church Road", "ZZ4 4DD")),
    (("25, Church Road", "ZZ3 3CC"), ("26, Church Road", "ZZ3 3CC")),
    # a named building: its namesake in another postcode, another flat, another building
    (("Flat 9, Harbour View, Exampletown", "ZZ4 4DD"), ("Flat 9, Harbour View", "ZZ9 9ZZ")),
    (("Flat 9, Harbour View, Exampletown", "ZZ4 4DD"), ("Flat 8, Harbour View", "ZZ4 4DD")),
    (("Ivy House, Exampletown", "ZZ4 4DD"), ("Rose House, Exampletown", "ZZ4 4DD")),
    # a flat of a named building written without commas: another flat, the building's namesake in
    # another postcode, the house itself, another house on the street
    (("22 RIVERSIDE HOUSE 105 MILL RD", "ZZ6 6FF"), ("Flat 21, Riverside House, 105 Mill Road", "ZZ6 6FF")),
    (
        ("Flat 21 Riverside House 105 Mill Rd", "ZZ6 6FF"),
        ("Flat 22, Riverside House, 105 Mill Road", "ZZ6 6FF"),
    ),
    (("22 RIVERSIDE HOUSE 105 MILL RD", "ZZ6 6FF"), ("Flat 22, Riverside House, 105 Mill Road", "ZZ9 9ZZ")),
    (("22 RIVERSIDE HOUSE 105 MILL RD", "ZZ6 6FF"), ("105 Mill Road", "ZZ6 6FF")),
    (("22 RIVERSIDE HOUSE 105 MILL RD", "ZZ6 6FF"), ("22 Mill Road", "ZZ6 6FF")),
    (("Flat 8 Beacon Ct 41 Clover Ln", "ZZ7 7GG"), ("Flat 8, Beacon Court, 42 Clover Lane", "ZZ7 7GG")),
    (("Flat 8 Beacon Ct 41 Clover Ln", "ZZ7 7GG"), ("Flat 8, Beacon Court, 41 Clover Road", "ZZ7 7GG")),
    (("Apt 3 105 Mill Rd", "ZZ6 6FF"), ("Apt 3 106 Mill Rd", "ZZ6 6FF")),
    # a number, a street, a number: no building name in between, so no flat is guessed
    (("10 High Street 5", "ZZ1 1AA"), ("Flat 10, 5 High Street", "ZZ1 1AA")),
    (("3 105 Mill Road", "ZZ6 6FF"), ("Flat 3, 105 Mill Road", "ZZ6 6FF")),
]


@pytest.mark.parametrize("group", ONE_PLACE, ids=lambda g: g[0][0])
def test_variants_of_one_place_give_one_key(group: list[tuple[str, str | None]]) -> None:
    keys = {address_key(line, pc) for line, pc in group}
    assert len(keys) == 1 and None not in keys, keys


@pytest.mark.parametrize("pair", TWO_PLACES, ids=lambda p: f"{p[0][0]}|{p[1][0]}/{p[1][1]}")
def test_different_places_give_different_keys(pair: tuple[tuple[str, str], tuple[str, str]]) -> None:
    a, b = (address_key(*x) for x in pair)
    assert a and b and a != b


def test_no_postcode_no_place() -> None:
    assert address_key("12 High Street", None) is None
    assert address_key("12 High Street", "") is None
    assert address_key("12 High Street", "N/A") is None
    assert address_key("12 High Street", "unknown") is None
    assert address_key("", "ZZ1 1AA") is None and address_key(None, "ZZ1 1AA") is None
    assert address_key(float("nan"), float("nan")) is None  # type: ignore[arg-type]


def test_saint_and_street() -> None:
    assert clean_address("St Mary's St") == "saint marys street"
    assert clean_address("4 St. Albans Rd") == "4 saint albans road"
    assert clean_address("4 High St North") == "4 high street north"
    assert postcode_in_line("4 High St, zz1 1aa") == "ZZ11AA"


def test_names_and_postcodes_clean_as_before() -> None:
    assert clean_name("  O'Brien-Smyth ") == "obrien smyth"
    assert clean_postcode("sw1a 1aa") == "SW1A1AA"


def test_identifiers_link_one_place_and_keep_their_shape() -> None:
    officers = pd.DataFrame(
        {
            "officer_id": ["A1", "A2", "A3"],
            "surname": ["Example", "Sample", "Other"],
            "home_postcode": ["ZZ1 1AA", "ZZ9 9ZZ", "ZZ1 1AA"],
            "home_address": ["Flat 2, 10 High St.", "12 High Street", "Flat 1, 10 High Street"],
            "phone": [None, None, None],
        }
    )
    persons = pd.DataFrame(
        {
            "person_id": ["P1", "P2"],
            "surname": ["Nominal", "Namesake"],
            "postcode": ["zz11aa", "ZZ1 1AA"],
            "address": ["2/10 HIGH STREET", "12 High Street"],
            "phone": [None, None],
        }
    )
    nodes, rels = identifier_links(officers, persons)
    assert nodes["identifier_id"].tolist() == ["address:ZZ11AA|flat 2 10 high street"]
    assert nodes.loc[0, "kind"] == "address" and nodes.loc[0, "value"] == "ZZ11AA|flat 2 10 high street"
    assert sorted(rels["src"]) == ["Officer:A1", "Person:P1"]  # not A2 (ZZ9 9ZZ), not A3 (flat 1)
    assert set(rels["dst"]) == {"Identifier:address:ZZ11AA|flat 2 10 high street"}
    assert list(rels.columns) == ["src", "dst", "field"]
    assert set(rels["field"]) == {"home_address+home_postcode", "address+postcode"}
