"""Settings shared by the command line, the API and the stores.

Read from ``LINKWATCH_*`` environment variables (and flags, which override them),
validated once at start with messages that say what to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.errors import ConfigError

PLACEHOLDER_SECRETS = {"changeme", "changethis", "password", "neo4j", "secret"}


class Settings(BaseSettings):
    """All runtime settings.

    Each field is read from the environment variable ``LINKWATCH_<FIELD>`` (for
    example ``LINKWATCH_DATA_DIR``) unless given here; the command line's flags are
    passed in as overrides (:func:`load_settings`). Values are validated when the
    object is made; :meth:`check` adds the checks that depend on the store chosen.

    Parameters
    ----------
    store : {"embedded", "neo4j"}, default "embedded"
        The graph store: Ladybug in-process, or a Neo4j 5 server.
    data_dir : Path, default "linkwatch-data"
        The data folder: the embedded graph, the event store, ``meta.sqlite``, the
        audit log and (by default) its signing key.
    neo4j_uri : str, optional
        The Neo4j server's address (``bolt://``, ``bolt+s://``, ``bolt+ssc://``,
        ``neo4j://``, ``neo4j+s://`` or ``neo4j+ssc://``); empty means none.
    neo4j_user, neo4j_password : str, optional
        Neo4j credentials (a password that is a known placeholder is refused).
    neo4j_database : str, default "neo4j"
        The Neo4j database.
    buffer_pool_mb : int, default 1024
        Ladybug buffer pool size (MiB) of read-only handles (serve, queries), at least 256:
        checkpoints fail below ~256.
    write_buffer_pool_mb : int, default 3072
        Ladybug buffer pool size (MiB) of the read-write handle (ingest, detect): a bulk
        copy of about a million relationships needs a GiB (a Met-sized force has two
        million ``ACCESSED`` links); memory is taken only as it is used.
    event_memory_mb : int, default 2048
        DuckDB memory limit for the event store (MiB); beyond it DuckDB spills to disk.
    resolver : {"splink", "exact"}, default "splink"
        How membership-list entries are resolved to officers.
    match_threshold : float, default 0.95
        Membership match probability that links.
    access_links : {"notable", "all"}, default "notable"
        Which officer-record pairs become ``ACCESSED`` links in the graph: notable ones
        (no purpose code, sensitive record outside the officer's cases, repeated,
        personal link) or all.
    access_repeat : int, default 5
        Lookups of one record by one officer that make a link.
    max_retire_share : float, default 0.2
        Share of a table's current rows one ingest may retire; a snapshot that would
        retire more is refused unless ``ingest --allow-mass-retire`` (an empty or
        partial export, most likely).
    query_timeout_s : float, default 60.0
        Timeout of every query, in seconds.
    query_memory_mb : int, default 2048
        Memory (MiB, resident) a user-written query may use on the embedded store
        before its worker process is stopped.
    reader_connections : int, default 4
        Connections of a read-only embedded handle (queries in parallel).
    max_request_kb : int, default 1024
        Largest request body ``linkwatch serve`` reads (KiB).
    server_threads : int, default 8
        Worker threads of ``linkwatch serve`` (requests beyond them queue), in each of
        its processes.
    server_workers : int, default 2
        Processes of ``linkwatch serve``, each with its own read-only handle on the
        store: Python runs a request's own work on one core per process.
    hop_index : bool, default True
        A server's read-only embedded snapshot keeps every relationship's ends in
        memory (:class:`graph.adjacency.Adjacency`, ~60 bytes a relationship) and
        answers neighbourhood and path hops from it; off, each hop is a query.
    hop_properties : bool, default True
        With ``hop_index``: the index also holds every node's and relationship's
        properties (~300 bytes a relationship, 1.3 GiB at 45,000 officers), so that
        neighbourhoods and paths read nothing from the engine; off, the nodes and edges
        kept are read from it.
    server_switch_interval_ms : float, default 1.0
        How long a server thread may hold Python's interpreter lock before another one
        is let in (Python's own default is 5 ms): a request that gives it up for the
        engine, a file or the audit log gets it back sooner.
    server_heavy_threads : int, default 1
        How many heavy requests (neighbourhoods beyond depth 1, paths, a flag or its
        evidence, saved queries) a server process runs at once; the others wait their
        turn, holding no thread, so that the light requests (search, entities, depth 1,
        the flag list) share the interpreter lock with few of them.
    server_heavy_wait_ms : float, default 1000
        A heavy request that has waited this long for its turn runs anyway (a saved
        query that runs for seconds holds up the others no longer).
    query_workers : int, default 2
        Worker processes for user-written queries on the embedded store.
    batch_size : int, default 10000
        Rows per write batch.
    max_hops : int, default 6
        Longest variable-length pattern, neighbourhood depth or path a query may ask for.
    timezone : str, default "Europe/London"
        The local time zone of the event store and of the detectors (their days are
        local days).
    challenge_days : int, default 30
        Days a subject's challenge has to be decided in (its deadline is the day it was
        lodged plus these).
    audit_key_file : Path, optional
        The key that signs the audit log (HMAC-SHA256); made with mode 0600 on first
        use [default: ``<data_dir>/audit.key``].
    environment : {"development", "production"}, default "development"
        Where this runs: in production every secret must be set (a missing or
        placeholder pseudonym key is refused at start).
    pseudonym_key : SecretStr, optional
        The secret that keys officers' and people's pseudonyms (HMAC-SHA256), at least
        16 characters. Required in production; in development a key is made in
        ``<data_dir>/pseudonym.key`` (mode 0600) on first use, so pseudonyms stay the
        same across restarts.

    Raises
    ------
    pydantic.ValidationError
        If a value is out of range or of the wrong kind (:func:`load_settings` turns
        this into a :class:`~graph.errors.ConfigError` naming the variable and flag).

    See Also
    --------
    load_settings : Settings from the environment and flags, checked.

    Examples
    --------
    >>> Settings(store="embedded").data_dir.name
    'linkwatch-data'
    >>> s = Settings(data_dir="/srv/lw", buffer_pool_mb=256)
    >>> s.data_dir.as_posix(), s.buffer_pool_mb, s.max_hops
    ('/srv/lw', 256, 6)
    """

    model_config = SettingsConfigDict(env_prefix="LINKWATCH_", extra="ignore")

    store: Literal["embedded", "neo4j"] = "embedded"
    data_dir: Path = Path("linkwatch-data")
    neo4j_uri: str | None = None
    neo4j_user: str | None = None
    neo4j_password: SecretStr | None = None
    neo4j_database: str = "neo4j"
    buffer_pool_mb: int = Field(
        1024,
        ge=256,
        description="Ladybug buffer pool size (MiB) of read-only handles (serve, queries); checkpoints fail below ~256",
    )
    write_buffer_pool_mb: int = Field(
        3072,
        ge=256,
        description="Ladybug buffer pool size (MiB) of the read-write handle (ingest, detect): a bulk copy "
        "of about a million relationships needs a GiB; memory is taken only as it is used",
    )
    event_memory_mb: int = Field(2048, ge=256, description="DuckDB memory limit for the event store (MiB)")
    resolver: Literal["splink", "exact"] = "splink"
    match_threshold: float = Field(0.95, gt=0, le=1, description="membership match probability that links")
    access_links: Literal["notable", "all"] = Field(
        "notable",
        description="which officer-record pairs become ACCESSED links in the graph: notable ones "
        "(no purpose code, sensitive record outside the officer's cases, repeated, personal link) or all",
    )
    access_repeat: int = Field(5, ge=2, description="lookups of one record by one officer that make a link")
    max_retire_share: float = Field(
        0.2,
        ge=0,
        le=1,
        description="share of a table's current rows one ingest may retire; a snapshot that would retire "
        "more is refused unless `ingest --allow-mass-retire` (an empty or partial export, most likely)",
    )
    query_timeout_s: float = Field(60.0, gt=0)
    query_memory_mb: int = Field(
        2048,
        ge=128,
        description="memory (MiB, resident) a user-written query may use on the embedded store before "
        "its worker process is stopped",
    )
    reader_connections: int = Field(
        4, ge=1, le=64, description="connections of a read-only embedded handle (queries in parallel)"
    )
    max_request_kb: int = Field(1024, ge=16, description="largest request body `linkwatch serve` reads (KiB)")
    server_threads: int = Field(
        8, ge=2, le=200, description="worker threads of `linkwatch serve` (requests beyond them queue)"
    )
    server_workers: int = Field(
        2, ge=1, le=64, description="processes of `linkwatch serve`, each with its own read-only store handle"
    )
    hop_index: bool = Field(
        True,
        description="a server's embedded snapshot keeps every relationship's ends in memory for neighbourhood "
        "and path hops (~60 bytes a relationship; off: each hop is a query)",
    )
    hop_properties: bool = Field(
        True,
        description="with hop_index: the index also holds every node's and relationship's properties, so that "
        "neighbourhoods and paths read nothing from the engine (~300 bytes a relationship)",
    )
    server_switch_interval_ms: float = Field(
        1.0,
        gt=0,
        le=100,
        description="how long a server thread may hold the interpreter lock before another is let in "
        "(Python's default: 5 ms)",
    )
    server_heavy_threads: int = Field(
        1,
        ge=1,
        le=200,
        description="heavy requests (neighbourhoods beyond depth 1, paths, a flag or its evidence, saved "
        "queries) a server process runs at once; the others wait their turn, holding no thread",
    )
    server_heavy_wait_ms: float = Field(
        1000.0,
        ge=0,
        le=600_000,
        description="a heavy request that has waited this long for its turn runs anyway",
    )
    query_workers: int = Field(
        2, ge=1, le=16, description="worker processes for user-written queries on the embedded store"
    )
    batch_size: int = Field(10_000, ge=1, le=1_000_000)
    max_hops: int = Field(6, ge=1, le=10)
    timezone: str = "Europe/London"
    challenge_days: int = Field(
        30,
        ge=1,
        le=366,
        description="days a subject's challenge has to be decided in (from the day it is lodged)",
    )
    audit_key_file: Path | None = Field(
        None,
        description="the key that signs the audit log (HMAC-SHA256); made with mode 0600 on first use "
        "[default: <data_dir>/audit.key]",
    )
    environment: Literal["development", "production"] = Field(
        "development",
        description="where this runs: in production every secret must be set (a missing or placeholder "
        "pseudonym key is refused at start)",
    )
    pseudonym_key: SecretStr | None = Field(
        None,
        description="the secret that keys officers' and people's pseudonyms (HMAC-SHA256), at least 16 "
        "characters; required in production, made in <data_dir>/pseudonym.key in development",
    )

    @field_validator("neo4j_uri")
    @classmethod
    def _uri_scheme(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        schemes = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")
        if not v.startswith(schemes):
            raise ValueError(f"must start with one of {', '.join(schemes)} (got {v!r})")
        return v

    def check(self) -> Settings:
        """Fail fast on settings that cannot work for the chosen store.

        Returns
        -------
        Settings
            These settings, unchanged (so that ``Settings(...).check()`` chains).

        Raises
        ------
        ConfigError
            With ``store="neo4j"``: no server address, a user without a password, or
            a password that is a placeholder (``changeme``, ``neo4j`` …). In
            production: no pseudonym key, or a placeholder or short one.

        Examples
        --------
        >>> Settings(store="embedded").check().store
        'embedded'
        >>> Settings(store="neo4j", neo4j_uri="bolt://db:7687", neo4j_user="lw",
        ...          neo4j_password="changeme").check()
        Traceback (most recent call last):
        ...
        graph.errors.ConfigError: LINKWATCH_NEO4J_PASSWORD is a placeholder value; set a real secret
        >>> Settings(environment="production").check()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        graph.errors.ConfigError: LINKWATCH_PSEUDONYM_KEY is not set: production needs ...
        """
        if self.environment == "production":
            key = self.pseudonym_key.get_secret_value() if self.pseudonym_key is not None else ""
            if not key.strip():
                raise ConfigError(
                    "LINKWATCH_PSEUDONYM_KEY is not set: production needs the secret that keys "
                    "pseudonyms (at least 16 characters, e.g. from `openssl rand -hex 32`)"
                )
            if key.strip().lower() in PLACEHOLDER_SECRETS or len(key.strip()) < 16:
                raise ConfigError(
                    "LINKWATCH_PSEUDONYM_KEY is a placeholder or shorter than 16 characters; set a real secret"
                )
        if self.store == "neo4j":
            if not self.neo4j_uri:
                raise ConfigError(
                    "--store neo4j needs a server address: set LINKWATCH_NEO4J_URI "
                    "(for example bolt://127.0.0.1:7687) or pass --neo4j-uri"
                )
            if self.neo4j_user and self.neo4j_password is None:
                raise ConfigError("LINKWATCH_NEO4J_USER is set but LINKWATCH_NEO4J_PASSWORD is not")
            if (
                self.neo4j_password is not None
                and self.neo4j_password.get_secret_value().lower() in PLACEHOLDER_SECRETS
            ):
                raise ConfigError("LINKWATCH_NEO4J_PASSWORD is a placeholder value; set a real secret")
        return self


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment with non-``None`` overrides (from flags) applied.

    Parameters
    ----------
    **overrides
        Field values from the command line's flags; ``None`` means the flag was not
        given, so the environment (or the default) stands.

    Returns
    -------
    Settings
        Validated and :meth:`Settings.check`-ed settings.

    Raises
    ------
    ConfigError
        If a value is invalid (the message names each variable and flag and what is
        wrong) or the settings cannot work for the chosen store.

    Examples
    --------
    >>> load_settings(buffer_pool_mb=512, data_dir=None).buffer_pool_mb
    512
    >>> load_settings(buffer_pool_mb=100)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.errors.ConfigError: invalid settings: LINKWATCH_BUFFER_POOL_MB / --buffer-pool-mb: Input ...
    """
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given).check()  # type: ignore[arg-type]
    except ValidationError as e:
        msgs = []
        for err in e.errors():
            name = ".".join(str(x) for x in err["loc"])
            msgs.append(f"LINKWATCH_{name.upper()} / --{name.replace('_', '-')}: {err['msg']}")
        raise ConfigError("invalid settings: " + "; ".join(msgs)) from None
