"""Configuration: production refuses to start without SECRET_KEY, URLs, the generated key."""

from __future__ import annotations

import pytest
from flask import Flask

from app import MISSING_SECRET_KEY, create_app, database_url, load_config


def test_production_without_secret_key_refuses_to_start_in_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as excinfo:
        create_app(
            {
                "BRUGGEN_ENV": "production",
                "SECRET_KEY": None,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.sqlite'}",
            }
        )

    # Status 3 makes gunicorn's master stop instead of restarting workers forever.
    assert excinfo.value.code == 3
    message = capsys.readouterr().err
    assert message == MISSING_SECRET_KEY + "\n"
    assert message.count("\n") == 1 and "SECRET_KEY" in message


@pytest.mark.parametrize("env", ["production", "Production", " PRODUCTION "])
def test_production_refuses_a_short_secret_key_whatever_the_case_of_the_mode(env, capsys):
    with pytest.raises(SystemExit) as excinfo:
        create_app({"BRUGGEN_ENV": env, "SECRET_KEY": "a", "SQLALCHEMY_DATABASE_URI": "sqlite://"})

    assert excinfo.value.code == 3
    assert "SECRET_KEY is te kort" in capsys.readouterr().err


PRODUCTION = {
    "BRUGGEN_ENV": "production",
    "SECRET_KEY": "a-long-production-secret",
    "SQLALCHEMY_DATABASE_URI": "postgres://bruggen@db.example.org/bruggen",
}


def test_production_with_secret_key_starts():
    app = create_app(PRODUCTION)

    assert app.secret_key == "a-long-production-secret"
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_production_marks_cookies_secure():
    app = create_app(PRODUCTION)

    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@host:5432/db", "postgresql+psycopg://u:p@host:5432/db"),
        ("postgresql://u@host/db", "postgresql+psycopg://u@host/db"),
        ("postgresql+psycopg://u@host/db", "postgresql+psycopg://u@host/db"),
        ("sqlite:////srv/bruggen.sqlite", "sqlite:////srv/bruggen.sqlite"),
    ],
)
def test_database_url_picks_the_psycopg_driver_for_postgresql(given, expected):
    assert database_url(given) == expected


def _configured_app(instance_path, test_config: dict) -> Flask:
    app = Flask("app", instance_path=str(instance_path), instance_relative_config=True)
    load_config(app, test_config)
    return app


def test_secret_key_is_generated_once_in_the_instance_folder_and_reused(tmp_path):
    instance = tmp_path / "instance"
    settings = {"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"}

    first = _configured_app(instance, settings)
    second = _configured_app(instance, settings)

    key_file = instance / "secret_key"
    assert len(first.config["SECRET_KEY"]) == 64
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert key_file.read_text().strip() == first.config["SECRET_KEY"]
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_local_defaults_use_the_instance_folder(tmp_path):
    instance = tmp_path / "instance"

    app = _configured_app(instance, {"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": None})

    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'bruggen.sqlite'}"
    assert app.config["UPLOAD_FOLDER"] == str(instance / "uploads")
    assert app.config["MAIL_BACKEND"] == "console"


def test_instance_config_is_overridden_by_test_config(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text('BRUGGEN_BASE_URL = "https://bruggen.example.org"\n')

    plain = _configured_app(instance, {"SECRET_KEY": "k"})
    overridden = _configured_app(
        instance, {"SECRET_KEY": "k", "BRUGGEN_BASE_URL": "http://bruggen.test"}
    )

    assert plain.config["BRUGGEN_BASE_URL"] == "https://bruggen.example.org"
    assert overridden.config["BRUGGEN_BASE_URL"] == "http://bruggen.test"
