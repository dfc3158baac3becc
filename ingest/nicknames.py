"""Common English nicknames and their formal forenames, for comparing list entries.

A lodge roll may say *Bob Smith* where the personnel record says *Robert Smith*. This
module maps a forename to one or more *canonical* forms so that the two compare equal:

>>> canonical_forename("Bob")
'robert'
>>> canonical_forename("  Jon-Paul ")
'jonathan'
>>> canonical_forename("R.")
'r'
>>> forename_keys("Sam")
['samantha', 'samuel']
>>> forename_keys("Samuel") == ["samuel"]
True

Only the *first* forename is used ("Mary Anne" compares as "mary"), after
:func:`ingest.clean.clean_name` (case, accents, punctuation, hyphens). A name that is
not in the table is its own canonical form. A nickname shared by several formal names
(Sam: Samuel or Samantha) has several keys: two forenames are nickname-equivalent when
their key sets intersect, so *Sam* ~ *Samuel* and *Sam* ~ *Samantha*, but *Samuel* is
not *Samantha*.

The table is short and deliberately conservative: it lists equivalences a human
reviewer would accept without comment. It is a comparison aid, not evidence on its own:
the resolver gives a nickname agreement less weight than an exact forename agreement.
"""

from __future__ import annotations

from ingest.clean import clean_name

#: formal forename -> nicknames and spelling variants that stand for it
FORMAL_TO_NICKNAMES: dict[str, tuple[str, ...]] = {
    "robert": ("bob", "bobby", "rob", "robbie", "robby", "bert"),
    "william": ("bill", "billy", "will", "willie", "liam"),
    "jonathan": ("jon", "jonny", "jonnie", "johnny"),
    "john": ("jack", "johnny", "jonny"),
    "james": ("jim", "jimmy", "jamie", "jimbo"),
    "michael": ("mike", "mick", "micky", "mickey", "mikey"),
    "david": ("dave", "davey", "davy"),
    "stephen": ("steve", "stevie", "steven", "stephan"),
    "thomas": ("tom", "tommy"),
    "richard": ("dick", "rick", "ricky", "rich", "richie"),
    "andrew": ("andy", "drew"),
    "christopher": ("chris", "kit"),
    "daniel": ("dan", "danny"),
    "matthew": ("matt", "matty"),
    "anthony": ("tony", "antony"),
    "peter": ("pete",),
    "samuel": ("sam", "sammy"),
    "samantha": ("sam", "sammy"),
    "edward": ("ed", "eddie", "ted", "teddy", "ned"),
    "joseph": ("joe", "joey"),
    "benjamin": ("ben", "benny"),
    "nicholas": ("nick", "nicky", "nicolas"),
    "alexander": ("alex", "sandy", "alec"),
    "alexandra": ("alex", "lexi"),
    "charles": ("charlie", "chas", "chuck"),
    "patrick": ("pat", "paddy"),
    "patricia": ("pat", "patty", "trish"),
    "timothy": ("tim", "timmy"),
    "gregory": ("greg",),
    "philip": ("phil", "phillip"),
    "kenneth": ("ken", "kenny"),
    "ronald": ("ron", "ronnie"),
    "donald": ("don", "donnie"),
    "gerald": ("gerry", "jerry"),
    "frederick": ("fred", "freddie", "freddy"),
    "henry": ("harry", "hal"),
    "lawrence": ("larry", "laurence"),
    "leonard": ("len", "lenny"),
    "raymond": ("ray",),
    "terence": ("terry", "terrence"),
    "vincent": ("vince", "vinny"),
    "douglas": ("doug", "dougie"),
    "stuart": ("stu", "stewart"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "bess", "eliza", "libby"),
    "katherine": ("kate", "katie", "kathy", "kath", "catherine", "kathryn", "cathy", "kat"),
    "jennifer": ("jenny", "jen", "jenni"),
    "susan": ("sue", "susie", "suzy"),
    "margaret": ("maggie", "meg", "peggy", "maggy", "marge"),
    "rebecca": ("becky", "becca", "bex"),
    "victoria": ("vicky", "vicki", "tori"),
    "deborah": ("debbie", "deb", "debra"),
    "jacqueline": ("jackie", "jacqui"),
    "christine": ("chris", "chrissie", "christina"),
    "nicola": ("nicky", "nikki"),
    "josephine": ("jo", "josie"),
    "joanne": ("jo", "joanna"),
    "abigail": ("abby", "abbie"),
    "amanda": ("mandy",),
    "barbara": ("barb", "babs"),
    "dorothy": ("dot", "dotty"),
    "eleanor": ("ellie", "nell", "nora"),
    "helen": ("nell", "ellen"),
    "judith": ("judy", "jude"),
    "kimberley": ("kim", "kimberly"),
    "louise": ("lou", "lulu"),
    "pamela": ("pam",),
    "sandra": ("sandy",),
    "theresa": ("terri", "tess", "tessa", "teresa"),
    "zoe": ("zoey",),
}


def _build_index() -> dict[str, tuple[str, ...]]:
    keys: dict[str, set[str]] = {}
    for formal, nicks in FORMAL_TO_NICKNAMES.items():
        keys.setdefault(formal, set()).add(formal)
        for n in nicks:
            keys.setdefault(n, set()).add(formal)
    # a formal name is also its own key even if it is listed as another's variant
    # (e.g. "sandra" is formal and a variant of "alexandra"): it keeps every key it has
    return {name: tuple(sorted(v)) for name, v in keys.items()}


_INDEX: dict[str, tuple[str, ...]] = _build_index()


def first_forename(name: str | None) -> str | None:
    """The first cleaned forename, or ``None``.

    >>> first_forename("  Mary-Anne  Louise")
    'mary'
    >>> first_forename(None) is None
    True
    """
    s = clean_name(name)
    return s.split(" ", 1)[0] if s else None


def forename_keys(name: str | None) -> list[str]:
    """Sorted canonical keys of the first forename (empty for no name).

    >>> forename_keys("Katie")
    ['katherine']
    >>> forename_keys("Zebedee")
    ['zebedee']
    >>> forename_keys("")
    []
    """
    f = first_forename(name)
    if f is None:
        return []
    return list(_INDEX.get(f, (f,)))


def canonical_forename(name: str | None) -> str | None:
    """One canonical form of the first forename (the first of its keys, alphabetically).

    ``None`` for an empty name. For a nickname with several formal names (Sam) use
    :func:`forename_keys` when comparing: this single value is for display and blocking.

    >>> canonical_forename("JIMMY")
    'james'
    >>> canonical_forename("Siobhán")
    'siobhan'
    """
    keys = forename_keys(name)
    return keys[0] if keys else None
