"""Settings read the environment strictly: a malformed value stops start-up with ImproperlyConfigured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "DJANGO_SETTINGS_MODULE": "ims_portal.settings",
    "SECRET_KEY": "test-secret-key-0123456789",
    "DATABASE_URL": "postgres://ims:pw@db.example:5432/ims",
    "DEBUG": "false",
}
PROBE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'], "
    "settings.IMS_SANDBOX_CLOCK)"
)


def run_settings(**overrides) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "IMS_SANDBOX_CLOCK")
    }
    env.update(GOOD)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_good_environment_loads():
    r = run_settings()
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "django.db.backends.postgresql", "ims", "False"]


def test_sqlite_url_and_debug_and_sandbox_load():
    r = run_settings(
        DATABASE_URL="sqlite:///tmp/ims-test.sqlite3",
        DEBUG="yes",
        IMS_SANDBOX_CLOCK="on",
        REDIS_URL="redis://localhost:6379/0",
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["True", "django.db.backends.sqlite3", "tmp/ims-test.sqlite3", "True"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"DATABASE_URL": "mysql://u:p@host/db"},
        {"DATABASE_URL": "not a url"},
        {"DATABASE_URL": "postgres://host-only"},
        {"DATABASE_URL": "postgres:///dbname"},
        {"DATABASE_URL": "postgres://u@host:notaport/db"},
        {"DATABASE_URL": "sqlite://"},
        {"DEBUG": "maybe"},
        {"DEBUG": "2"},
        {"SECRET_KEY": "short"},
        {"SECRET_KEY": None},  # no key with DEBUG off
        {"SECRET_KEY": ""},
        {"REDIS_URL": "http://localhost:6379/0"},
        {"REDIS_URL": "localhost:6379"},
        {"IMS_SANDBOX_CLOCK": "sometimes"},
        {"ALLOWED_HOSTS": " , "},
        {"ALLOWED_HOSTS": "example.com,bad host"},
    ],
)
def test_malformed_environment_is_refused(overrides):
    r = run_settings(**overrides)
    assert r.returncode != 0
    assert "ImproperlyConfigured" in r.stderr


def test_missing_secret_key_allowed_in_debug():
    r = run_settings(SECRET_KEY=None, DEBUG="true")
    assert r.returncode == 0, r.stderr
