"""Organisation names as an investigator reads them: a declaration that names its
organisation in free text (``declarations.org_name``, no ``org_id``) links to the one
organisation it plainly means, and never to one of two it might mean.

People write one company or lodge many ways: "Ashworth Security Services Limited" for
"Ashworth Security Services Ltd", "Rose & Crown Lodge No. 1234" for "Rose and Crown Lodge
1234", "St Mary's" for "Saint Marys", "The Fidelity Lodge" for "Lodge of Fidelity". The
name is matched in steps, the strictest first, and the first step that finds exactly one
organisation decides; a step that finds two or more stops the search (ambiguous: no link).

1. ``exact_name``: the same name once case, accents, punctuation and a leading "the" go.
2. ``normalised_name``: the same words once legal forms are dropped (Ltd, Limited, PLC,
   LLP, CIC, Company, Co, Inc, trading as ...), "&" is "and", "No."/"Number" before a
   number goes, common abbreviations are written out (Assoc, Soc, Svcs, Intl, Hldgs, Bros,
   Mgmt, Grp, Dept, Natl) and "St"/"Street"/"Saint" are one word; "the", "of" and "and"
   are left out.
3. ``reordered_words``: the same words in another order ("Fidelity Lodge 3318").
4. ``close_spelling``: one word spelt a letter off (one letter added, dropped, changed,
   or two swapped) in a word of five letters or more, every other word and every number
   the same ("Ashworht Security Services").
5. ``lodge_number_left_out``: a lodge (or chapter) named by the same words, in any order,
   with its number on one side only ("Lodge of St John" for "St John Lodge No. 123"): a
   member writes the lodge's name and leaves out its number.

In a lodge's (or chapter's) name, words that only say it is masonic ("Masonic",
"Freemasons", "Freemasonry") are dropped, wherever they stand: "Freemasons - Lodge of St
John" and "Lodge of St John (masonic)" name the Lodge of St John.

Numbers are never fuzzy (Lodge 1234 is not Lodge 1243, and a number is left out only where
the other name has none), a word is never missing ("Acme" is not "Acme Motors"), and
nothing is guessed from initials.

>>> org_key("The Rose & Crown Lodge No. 1234")
'rose crown lodge 1234'
>>> org_key("Ashworth Security Services Limited") == org_key("Ashworth Security Services Ltd")
True
>>> org_key("St. Mary's Parish Church") == org_key("Saint Marys Parish Church")
True
>>> org_key("Freemasons - Lodge of St John"), org_key("Lodge of St John (masonic)")
('lodge st john', 'lodge st john')
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.clean import clean_name, clean_org_name

LEGAL_FORMS = (
    "public limited company",
    "limited liability partnership",
    "community interest company",
    "limited",
    "ltd",
    "plc",
    "llp",
    "cic",
    "company",
    "co",
    "incorporated",
    "inc",
)
"""Legal-form words, dropped wherever they stand at the end of the name."""

ABBREVIATIONS = {
    "assoc": "association",
    "assn": "association",
    "soc": "society",
    "svcs": "services",
    "svc": "service",
    "intl": "international",
    "hldgs": "holdings",
    "hldg": "holding",
    "bros": "brothers",
    "mgmt": "management",
    "grp": "group",
    "dept": "department",
    "natl": "national",
    "ctr": "centre",
    "center": "centre",
    "saint": "st",
    "street": "st",
}
"""Abbreviated words and their one spelling (whole words only)."""

FILLER = frozenset({"the", "of", "and"})
NUMBERED = frozenset({"lodge", "chapter"})
"""Words of an organisation known by a number as well as a name (a masonic lodge or chapter)."""
KIND_WORDS = frozenset({"masonic", "freemasons", "freemason", "freemasonry"})
"""Words that only say a lodge is masonic: dropped from a name holding a word of
:data:`NUMBERED`."""
_NUMBER_WORD = re.compile(r"\b(?:no|nos|number|num)\s+(?=\d)")
_TRADING = re.compile(r"\s+(?:t/a|ta|trading as)\s+.*$")

METHODS = ("exact_name", "normalised_name", "reordered_words", "close_spelling", "lodge_number_left_out")
"""The steps of :func:`match_org`, strictest first (the ``method`` on ``ABOUT``)."""


def org_key(v: str | None) -> str | None:
    """The normalised name (step 2 above); ``None`` for an empty one."""
    if v is None or (isinstance(v, float) and v != v):
        return None
    s = str(v).replace("&", " and ").replace("+", " and ").replace("#", " no ")
    s = _TRADING.sub("", s.casefold())
    s = clean_name(s) or ""
    s = _NUMBER_WORD.sub("", s)
    words = [ABBREVIATIONS.get(w, w) for w in s.split()]
    changed = True
    while changed and words:
        changed = False
        for form in LEGAL_FORMS:
            f = form.split()
            if len(words) > len(f) and words[-len(f) :] == f:
                words = words[: -len(f)]
                changed = True
    words = [w for w in words if w not in FILLER]
    if NUMBERED & set(words):
        words = [w for w in words if w not in KIND_WORDS] or words
    return " ".join(words) or None


def _one_letter_off(a: str, b: str) -> bool:
    """One letter added, dropped, changed, or two neighbours swapped (Damerau distance 1)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _close(a: str, b: str) -> bool:
    """Step 4: the same words but one, spelt a letter off, in a word of five letters or more."""
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb) or len(wa) < 2:
        return False
    diff = [(x, y) for x, y in zip(wa, wb, strict=True) if x != y]
    if len(diff) != 1:
        return False
    x, y = diff[0]
    return not (x.isdigit() or y.isdigit()) and min(len(x), len(y)) >= 5 and _one_letter_off(x, y)


def _number_left_out(a: str, b: str) -> bool:
    """Step 5: two lodge names of the same words, in any order, one with a number and the
    other with none (two numbers are never one lodge unless equal, an earlier step)."""
    wa, wb = a.split(), b.split()
    if not (NUMBERED & set(wa) and NUMBERED & set(wb)):
        return False
    if any(w.isdigit() for w in wa) == any(w.isdigit() for w in wb):
        return False
    rest_a = sorted(w for w in wa if not w.isdigit())
    rest_b = sorted(w for w in wb if not w.isdigit())
    return len(rest_a) >= 2 and rest_a == rest_b


def match_org(name: str | None, orgs: Sequence[tuple[str, str]]) -> tuple[str | None, str]:
    """The one organisation of ``orgs`` (``(org_id, name)`` pairs) that ``name`` plainly
    means, and the step that found it; ``(None, "ambiguous")`` when a step finds two or
    more, ``(None, "")`` when none does.

    >>> orgs = [("O1", "Kingsmere Autos Ltd"), ("O2", "Kingsmere Motors Ltd"),
    ...         ("O3", "Lodge of Fidelity No. 3318"), ("O4", "Acme Ltd"), ("O5", "Acme LLP")]
    >>> match_org("Kingsmere Autos Limited", orgs)
    ('O1', 'normalised_name')
    >>> match_org("Kingsmere Motor Ltd", orgs)
    ('O2', 'close_spelling')
    >>> match_org("Fidelity Lodge 3318", orgs)
    ('O3', 'reordered_words')
    >>> match_org("Fidelity Lodge 3381", orgs)
    (None, '')
    >>> match_org("Acme", orgs)
    (None, 'ambiguous')
    >>> match_org("Fidelity Lodge", orgs), match_org("Freemasons - Lodge of Fidelity No 3318", orgs)
    (('O3', 'lodge_number_left_out'), ('O3', 'normalised_name'))
    """
    exact = clean_org_name(name)
    key = org_key(name)
    if exact is None or key is None:
        return None, ""
    steps = (
        lambda o: clean_org_name(o) == exact,
        lambda o: org_key(o) == key,
        lambda o: sorted((org_key(o) or "").split()) == sorted(key.split()),
        lambda o: _close(org_key(o) or "", key),
        lambda o: _number_left_out(org_key(o) or "", key),
    )
    for method, same in zip(METHODS, steps, strict=True):
        hits = sorted({oid for oid, o in orgs if same(o)})
        if len(hits) == 1:
            return hits[0], method
        if hits:
            return None, "ambiguous"
    return None, ""
