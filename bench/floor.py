"""The floor of the benchmark: a minimal Flask app answering each measured URL with fixed bytes.

``bench.run`` measures the real responses first and writes their status and
size to a JSON file named by ``BENCH_FLOOR_SPEC``; this app answers the same
requests with precomputed bytes of that size, under the same gunicorn settings.
What Bruggen achieves relative to this app is what its own work costs on top
of gunicorn, Flask and the network.

Spec: ``{"GET /agenda": {"status": 200, "size": 609480, "content_type": "..."},
"GET /agenda member": {...}, "POST": {...}, "304": {...}}``. A POST is answered
with the ``"POST"`` entry, a GET carrying ``If-None-Match`` with the ``"304"``
entry (an empty 304), any other GET with the entry of its path and query, plus
`` member`` when it carries a cookie (a signed-in member's page is larger);
unknown URLs get a 404.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import Flask, Response, request


def create_app(spec_path: str | None = None) -> Flask:
    """Return the floor app for the spec at ``spec_path`` (default: ``$BENCH_FLOOR_SPEC``).

    Raises ``KeyError`` when neither is given, ``OSError``/``ValueError`` for an
    unreadable or malformed spec file.
    """
    spec = json.loads(Path(spec_path or os.environ["BENCH_FLOOR_SPEC"]).read_text())
    answers = {
        key: (
            int(entry["status"]),
            b"x" * int(entry["size"]),
            entry.get("content_type") or "text/html; charset=utf-8",
        )
        for key, entry in spec.items()
    }
    app = Flask(__name__)
    not_found = (404, b"", "text/plain")

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
    @app.route("/<path:path>", methods=["GET", "POST"])
    def page(path: str) -> Response:
        if request.method == "POST":
            key = "POST"
        elif request.headers.get("If-None-Match"):
            key = "304"
        else:
            query = request.query_string.decode()
            key = f"GET {request.path}" + (f"?{query}" if query else "")
            if request.headers.get("Cookie"):
                key += " member"
        status, body, content_type = answers.get(key, not_found)
        if status == 304:
            return Response(status=304)
        return Response(body, status=status, content_type=content_type)

    return app
