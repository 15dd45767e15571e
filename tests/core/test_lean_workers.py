"""A web worker imports no library it only needs for a command or a document (issue 14)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("alembic", "flask_migrate", "openpyxl", "docx", "weasyprint", "pygal")

PROBE = """
import json, sys
from app import create_app
app = create_app({"TESTING": True, "SECRET_KEY": "x" * 64,
                  "SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1] + "/db.sqlite",
                  "UPLOAD_FOLDER": sys.argv[1]})
from community.core.extensions import db
with app.app_context():
    db.create_all()
client = app.test_client()
statuses = [client.get(url).status_code for url in ("/", "/agenda", "/materiaal", "/forum")]
print(json.dumps({"loaded": sorted(m for m in sys.modules if m.split(".")[0] in %r),
                  "statuses": statuses}))
"""


def test_the_app_and_its_pages_import_no_migration_or_document_library(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,), str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["loaded"] == []
    assert result["statuses"] == [200, 200, 200, 200]


def test_flask_db_still_has_its_commands(tmp_path):
    done = subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "app", "db", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"},
    )
    assert done.returncode == 0, done.stderr
    for command in ("upgrade", "downgrade", "migrate", "current", "stamp"):
        assert f"  {command} " in done.stdout
