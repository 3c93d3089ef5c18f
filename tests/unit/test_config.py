"""Typed settings: defaults, environment variables, and the production secret rule."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from actives.config import Environment, Settings
from actives.errors import ConfigurationError


def test_defaults_use_embedded_sqlite_under_home(tmp_path: Path) -> None:
    s = Settings(home=tmp_path, database_url=None)
    assert s.uses_embedded_database
    assert s.effective_database_url == f"sqlite:///{tmp_path / 'actives.sqlite3'}"


def test_database_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db:5432/actives")
    s = Settings()
    assert s.effective_database_url == "postgres://u@db:5432/actives"
    assert not s.uses_embedded_database


def test_upload_limit_in_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTIVES_MAX_UPLOAD_MB", "2")
    assert Settings().max_upload_bytes == 2 * 1024 * 1024


def test_bad_values_are_refused_with_the_field_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTIVES_PORT", "not-a-port")
    with pytest.raises(ValidationError, match="port"):
        Settings()
    monkeypatch.delenv("ACTIVES_PORT")
    monkeypatch.setenv("ACTIVES_MAX_UPLOAD_MB", "-1")
    with pytest.raises(ValidationError, match="max_upload_mb"):
        Settings()


def test_production_requires_a_secret_key(tmp_path: Path) -> None:
    s = Settings(env=Environment.PRODUCTION, home=tmp_path, secret_key=None)
    with pytest.raises(ConfigurationError, match="ACTIVES_SECRET_KEY"):
        s.resolved_secret_key()


def test_development_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    s = Settings(env=Environment.DEVELOPMENT, home=tmp_path / "home", secret_key=None)
    first = s.resolved_secret_key()
    assert len(first) >= 50
    assert s.resolved_secret_key() == first
    assert (tmp_path / "home" / "secret_key").stat().st_mode & 0o077 == 0


def test_explicit_secret_key_wins(tmp_path: Path) -> None:
    s = Settings(env=Environment.PRODUCTION, home=tmp_path, secret_key="s3cret" * 10)
    assert s.resolved_secret_key() == "s3cret" * 10
