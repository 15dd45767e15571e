"""Printable documents: HTML templates rendered to PDF (WeasyPrint) and editable DOCX (python-docx).

One way to make every document people print (certificates, policy notes, reports):
a Jinja template under ``templates/documents/`` extending ``documents/base.html``
(A4, the networks' style, page numbers), rendered by :func:`render_pdf`. The
editable twin of a document is built with :func:`new_docx` and
:func:`docx_bytes`. Both libraries are imported only when a document is made,
so a worker that never prints does not carry them.
"""

from __future__ import annotations

import io
import logging
import os
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

log = logging.getLogger(__name__)
# WeasyPrint reports each step and fontTools each table it subsets at INFO: noise in our logs.
for _noisy in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

PDF_MIMETYPE = "application/pdf"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render_pdf(template: str, **context: Any) -> bytes:
    """Render the Jinja ``template`` with ``context`` and return it as PDF bytes.

    Call inside a request or app context (the template may use ``_()`` and
    ``url_for``). Images and stylesheets are read from our own static folder
    only, and ``data:`` URLs (charts): ``base_url`` is the app's static folder and
    any other address (the network, another local file) is refused, which
    WeasyPrint logs and renders as a missing image.
    Raises ``jinja2.TemplateNotFound`` for an unknown template.
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    static_root = os.path.realpath(current_app.static_folder or "")

    class LocalOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file://"):
                path = os.path.realpath(unquote(urlsplit(url).path))
                if os.path.commonpath([path, static_root]) != static_root:
                    raise ValueError(f"documents read only static files: {url[:80]}")
            return super().fetch(url, headers)

    html = render_template(template, **context)
    fetcher = LocalOnly(allowed_protocols=("file", "data"))
    pdf = HTML(string=html, base_url=static_root + "/", url_fetcher=fetcher).write_pdf()
    log.info("rendered %s to PDF (%d bytes)", template, len(pdf))
    return pdf


def new_docx(title: str) -> DocxDocument:
    """Return a new DOCX document in the networks' style with ``title`` as its first heading."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "DejaVu Sans"
    normal.font.size = Pt(10.5)
    document.core_properties.title = title
    document.add_heading(title, level=0)
    return document


def docx_bytes(document: DocxDocument) -> bytes:
    """Return ``document`` serialised as DOCX bytes."""
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
