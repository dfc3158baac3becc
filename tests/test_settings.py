"""Settings: what the CLI, the API and docker compose rely on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph.errors import ConfigError
from graph.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for k in list(os.environ):
        if k.startswith("LINKWATCH_"):
            monkeypatch.delenv(k)


def test_defaults() -> None:
    s = load_settings()
    assert s.store == "embedded" and s.data_dir == Path("linkwatch-data") and s.batch_size == 10_000


def test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINKWATCH_STORE", "neo4j")
    monkeypatch.setenv("LINKWATCH_NEO4J_URI", "neo4j://db.internal:7687")
    monkeypatch.setenv("LINKWATCH_NEO4J_USER", "linkwatch")
    monkeypatch.setenv("LINKWATCH_NEO4J_PASSWORD", "s3cret-value")
    monkeypatch.setenv("LINKWATCH_NEO4J_DATABASE", "pso")
    s = load_settings()
    assert (s.store, s.neo4j_uri, s.neo4j_user, s.neo4j_database) == (
        "neo4j",
        "neo4j://db.internal:7687",
        "linkwatch",
        "pso",
    )
    assert s.neo4j_password is not None and s.neo4j_password.get_secret_value() == "s3cret-value"
    assert "s3cret" not in repr(s)
    assert load_settings(neo4j_database="other").neo4j_database == "other"  # flags win


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LINKWATCH_STORE": "neo4j"}, "LINKWATCH_NEO4J_URI"),
        (
            {"LINKWATCH_STORE": "neo4j", "LINKWATCH_NEO4J_URI": "bolt://x:1", "LINKWATCH_NEO4J_USER": "u"},
            "LINKWATCH_NEO4J_PASSWORD is not",
        ),
        (
            {
                "LINKWATCH_STORE": "neo4j",
                "LINKWATCH_NEO4J_URI": "bolt://x:1",
                "LINKWATCH_NEO4J_USER": "u",
                "LINKWATCH_NEO4J_PASSWORD": "changeme",
            },
            "placeholder",
        ),
        ({"LINKWATCH_STORE": "mysql"}, "LINKWATCH_STORE"),
        ({"LINKWATCH_BATCH_SIZE": "0"}, "LINKWATCH_BATCH_SIZE"),
        ({"LINKWATCH_NEO4J_URI": "localhost:7687"}, "LINKWATCH_NEO4J_URI"),
    ],
)
def test_bad_settings_fail_fast(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(ConfigError, match=message):
        load_settings()


def _compose_env() -> dict[str, str]:
    """The environment docker-compose.yml gives the linkwatch service (values from .env)."""
    text = (ROOT / "docker-compose.yml").read_text()
    block = text.split("  linkwatch:", 1)[1].split("environment:", 1)[1]
    env: dict[str, str] = {}
    for line in block.splitlines()[1:]:
        if not line.startswith("      "):
            break
        k, _, v = line.strip().partition(":")
        env[k.strip()] = v.strip().strip('"')
    return env


def test_compose_settings_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    env = _compose_env()
    assert env["LINKWATCH_STORE"] == "neo4j"
    dotenv = {
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": "a-real-secret-123",
        "LINKWATCH_PSEUDONYM_KEY": "another-real-secret-4567",
    }
    for k, v in env.items():
        # ${NAME} or ${NAME:?message}: compose refuses to start when NAME is unset
        v = re.sub(r"\$\{(\w+)(?::\?[^}]*)?\}", lambda m: dotenv.get(m.group(1), m.group(0)), v)
        assert "${" not in v, f"{k} uses a variable the test does not know: {v}"
        monkeypatch.setenv(k, v)
    s = load_settings()
    assert s.store == "neo4j" and s.neo4j_uri == "bolt://neo4j:7687"
    assert s.neo4j_password is not None and s.neo4j_password.get_secret_value() == "a-real-secret-123"
    assert s.environment == "production"  # so a missing pseudonym key stops the server
    assert s.pseudonym_key is not None and s.pseudonym_key.get_secret_value() == "another-real-secret-4567"
    example = (ROOT / ".env.example").read_text()
    assert all(f"\n{name}=" in f"\n{example}" for name in dotenv)  # .env.example names each


def test_compose_has_no_default_secrets_and_binds_loopback() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert (
        "NEO4J_AUTH: ${NEO4J_USER:?set NEO4J_USER in .env}/${NEO4J_PASSWORD:?set NEO4J_PASSWORD in .env}"
        in text
    )
    assert "LINKWATCH_PSEUDONYM_KEY: ${LINKWATCH_PSEUDONYM_KEY:?" in text  # no default key
    ports = [ln.strip() for ln in text.splitlines() if ln.strip().startswith('- "') and ":" in ln]
    assert ports and all(p.startswith('- "127.0.0.1:') for p in ports)
    assert "condition: service_healthy" in text and "healthcheck:" in text
