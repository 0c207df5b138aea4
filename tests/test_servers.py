"""Several app servers on one database: nothing a request needs lives in one server's memory."""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager

import pytest

from board import ConfigurationError, create_app
from helpers import ROOT, Browser, board_served


def _wrong_passwords(url: str, times: int) -> list[int]:
    """Sign-in attempts with a wrong password on one server, as a browser makes them."""
    browser = Browser(url)
    return [browser.post_form("/login", {"login": "nobody", "password": "wrong"})[0]
            for _ in range(times)]


@contextmanager
def two_servers(tmp_path, database_url, storage_uri, key_prefix="simpl"):
    limits = {"RATELIMIT_ENABLED": "1", "LOGIN_RATE_LIMIT": "10 per minute",
              "RATELIMIT_STORAGE_URI": storage_uri, "RATELIMIT_KEY_PREFIX": key_prefix}
    one_worker = ("--workers", "1")
    with board_served(tmp_path / "one", database_url, one_worker, **limits) as first, \
            board_served(tmp_path / "two", database_url, one_worker, **limits) as second:
        yield first, second


def test_the_login_limit_holds_across_two_servers_sharing_redis(tmp_path, database_url, redis_server):
    with two_servers(tmp_path, database_url, redis_server.url, redis_server.key_prefix) as (first, second):
        assert 429 not in _wrong_passwords(first, 5) + _wrong_passwords(second, 5)
        assert _wrong_passwords(second, 1) == [429]
        assert _wrong_passwords(first, 1) == [429]


@pytest.mark.engine("sqlite")
def test_each_server_counts_alone_when_limits_are_kept_in_memory(tmp_path, database_url):
    # What the shared store is for: in memory, twelve tries over two servers meet no limit of ten.
    with two_servers(tmp_path, database_url, "memory://") as (first, second):
        assert 429 not in _wrong_passwords(first, 6) + _wrong_passwords(second, 6)


def test_a_database_server_without_a_secret_key_refuses_to_start(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="same key"):
        create_app({"INSTANCE_PATH": str(tmp_path),
                    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://simpl@127.0.0.1:1/simpl"})
    assert not (tmp_path / "secret_key").exists()


def test_the_refusal_is_one_clear_line_not_a_traceback(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "INSTANCE_PATH": str(tmp_path),
           "DATABASE_URL": "postgresql+psycopg://simpl@127.0.0.1:1/simpl"}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "board", "check"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "Simpl cannot start: SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
