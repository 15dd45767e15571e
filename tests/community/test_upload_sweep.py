"""The upload sweep (issue 13, item 7): what a worker killed mid-upload leaves, and no more.

A killed worker leaves a stored file that no row names (written before the row) or a
partial temporary file (written before the rename). ``flask sweep-uploads`` removes
both once they are older than ``UPLOAD_SWEEP_AFTER_HOURS``; it never removes a file a
row names, nor a young file that an upload still in progress may be about to name.
Ages are made with ``os.utime``; SQLite and PostgreSQL (``TEST_DATABASE_URL``).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import event

from community.core.extensions import db
from community.core.storage.local import TEMP_PREFIX, TEMP_SUFFIX, LocalStorage
from community.core.storage.sweep import ASIDE_PREFIX, sweep_uploads
from community.library.models import Material, MaterialType, MaterialVersion
from tests.pages_helpers import add

DAY = 24 * 3600


@pytest.fixture
def storage(app) -> LocalStorage:
    return LocalStorage(app.config["UPLOAD_FOLDER"])


def _age(path: Path, seconds: float) -> Path:
    """Set ``path``'s modification time ``seconds`` in the past; return it."""
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def _stored(storage: LocalStorage, data: bytes, *, age: float) -> str:
    key = storage.save(data)
    _age(storage.path(key), age)
    return key


def _partial(storage: LocalStorage, shard: str, *, age: float, name: str = "") -> Path:
    """A temporary file as a worker killed in the middle of ``LocalStorage.save`` leaves."""
    folder = storage.root / shard
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{TEMP_PREFIX}k1ll3d{TEMP_SUFFIX}")
    path.write_bytes(b"%PDF-1.7 half a fi")
    return _age(path, age)


def _material(key: str, **overrides) -> Material:
    values = {"slug": f"materiaal-{key[:8]}", "title": "Slides", "type": MaterialType.OTHER}
    values.update(overrides)
    return add(Material(file_key=key, file_name="slides.pdf", **values))


def _sweep(storage: LocalStorage, hours: float = 24):
    with db.engine.connect() as connection:
        return sweep_uploads(storage, connection, older_than=dt.timedelta(hours=hours))


def test_an_old_file_no_row_names_is_removed_and_named_files_stay(storage):
    orphan = _stored(storage, b"%PDF orphan of a killed upload", age=2 * DAY)
    current = _stored(storage, b"%PDF current file", age=30 * DAY)
    older_version = _stored(storage, b"%PDF version 1", age=30 * DAY)
    material = _material(current)
    add(
        MaterialVersion(
            material_id=material.id,
            number=1,
            file_key=older_version,
            file_name="v1.pdf",
            content_type="application/pdf",
        )
    )

    report = _sweep(storage)

    assert not storage.exists(orphan)
    assert storage.exists(current) and storage.exists(older_version)
    assert (report.unreferenced_removed, report.referenced_kept) == (1, 2)


def test_young_files_stay_whether_named_or_not(storage):
    """An upload in progress wrote its file and has not committed its row yet."""
    in_progress = _stored(storage, b"%PDF uploading right now", age=60)
    partial = _partial(storage, in_progress[:2], age=60)

    report = _sweep(storage)

    assert storage.exists(in_progress) and partial.exists()
    assert report.young_kept == 2
    assert report.unreferenced_removed == report.temporary_removed == 0


def test_old_partial_files_are_removed_young_ones_stay(storage):
    key = _stored(storage, b"%PDF named", age=3 * DAY)
    _material(key)
    old = _partial(storage, key[:2], age=25 * 3600)
    from_older_code = _partial(storage, "7f", age=3 * DAY, name="tmpa1b2c3d4")
    fresh = _partial(storage, key[:2], age=23 * 3600, name=f"{TEMP_PREFIX}fresh{TEMP_SUFFIX}")

    report = _sweep(storage)

    assert not old.exists() and not from_older_code.exists()
    assert fresh.exists() and storage.exists(key)
    assert report.temporary_removed == 2


def test_the_safe_age_is_a_setting(app, runner, storage):
    orphan = _stored(storage, b"%PDF orphan", age=3 * 3600)
    app.config["UPLOAD_SWEEP_AFTER_HOURS"] = 4

    kept = runner.invoke(args=["sweep-uploads"])
    assert storage.exists(orphan)

    app.config["UPLOAD_SWEEP_AFTER_HOURS"] = 2
    removed = runner.invoke(args=["sweep-uploads"])

    assert kept.exit_code == removed.exit_code == 0
    assert not storage.exists(orphan)
    assert "1 bestanden zonder verwijzing en 0 onvolledige uploads verwijderd" in removed.output


def test_storing_the_same_content_again_makes_an_old_orphan_young(storage):
    """A member uploads a file that an old orphan already holds: the sweep must not take it
    between the upload's write and its commit."""
    data = b"%PDF same slides, uploaded twice"
    key = _stored(storage, data, age=10 * DAY)

    storage.save(data)
    report = _sweep(storage)

    assert storage.exists(key) and report.young_kept == 1


@pytest.mark.real_commits  # another session commits while the sweep reads on its own connection
def test_a_row_committed_while_the_sweep_runs_keeps_its_file(app, storage):
    """The upload's row commits after the sweep's first look at the references: the second
    look, after the file was moved aside, sees it and puts the file back."""
    key = _stored(storage, b"%PDF committed during the sweep", age=5 * DAY)
    aside = storage.path(key).with_name(ASIDE_PREFIX + key)
    committed = []

    def upload_commits(conn, clauseelement, multiparams, params, execution_options):
        if aside.exists() and not committed:
            with app.app_context():  # another session: another request
                committed.append(_material(key).id)
                db.session.remove()

    with db.engine.connect() as connection:
        event.listen(connection, "before_execute", upload_commits)
        report = sweep_uploads(storage, connection, older_than=dt.timedelta(hours=24))

    assert committed, "the sweep moved the file aside before it looked again"
    assert storage.exists(key) and not aside.exists()
    assert report.unreferenced_removed == 0 and report.referenced_kept == 1


def test_a_file_left_aside_by_an_interrupted_sweep_is_judged_again(storage):
    named = _stored(storage, b"%PDF named, moved aside when the sweep died", age=5 * DAY)
    orphan = _stored(storage, b"%PDF orphan, moved aside when the sweep died", age=5 * DAY)
    _material(named)
    for key in (named, orphan):
        path = storage.path(key)
        path.rename(path.with_name(ASIDE_PREFIX + key))

    _sweep(storage)

    assert storage.exists(named) and not storage.exists(orphan)
    assert not list(storage.root.rglob(ASIDE_PREFIX + "*"))


def test_files_outside_the_storage_folders_are_left_alone(storage):
    storage.root.mkdir(parents=True, exist_ok=True)
    own = storage.root / "README.txt"
    own.write_text("mounted share")
    _age(own, 10 * DAY)
    other = storage.root / "ab" / "backups"
    other.mkdir(parents=True)
    kept = other / "dump.sql"
    kept.write_text("-- a folder inside a storage folder")
    _age(kept, 10 * DAY)

    _sweep(storage)

    assert own.exists() and kept.exists()


def test_an_empty_or_missing_upload_folder_is_fine(runner):
    result = runner.invoke(args=["sweep-uploads"])

    assert result.exit_code == 0, result.output
    assert "0 bestanden zonder verwijzing en 0 onvolledige uploads verwijderd" in result.output
