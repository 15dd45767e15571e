"""Safe uploads: file type from the content, cleaned file names, web links, PDF text.

The type of an upload comes from its bytes (magic numbers via ``filetype``,
then the container structure of OOXML and ODF files), never from its name or
the browser's claim; a name whose extension disagrees with the content is
refused (shared/cases K3). The user's file name is cleaned to a display name
and never becomes a path (K4); storage keys are made by the server.
"""

from __future__ import annotations

import io
import logging
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from urllib.parse import urlsplit

import filetype
from flask_babel import lazy_gettext as _l

log = logging.getLogger(__name__)

# Longest cleaned file name (characters, extension included); the column holds 255.
MAX_NAME_LENGTH = 150
FALLBACK_STEM = "bestand"
# Largest [Content_Types].xml or ODF ``mimetype`` entry read (bytes): real ones are a few kB.
MAX_MANIFEST_SIZE = 512 * 1024
# PDF text kept for the search (characters) and pages read.
MAX_PDF_TEXT = 200_000
MAX_PDF_PAGES = 300

ALLOWED_LIST = _l(
    "PDF, PowerPoint (PPTX), Word (DOCX), Excel (XLSX), OpenDocument (ODP, ODT, ODS), PNG of JPEG"
)


@dataclass(frozen=True)
class FileKind:
    """An allowed kind of file: its MIME type, short label and accepted extensions."""

    mime: str
    label: str
    extensions: tuple[str, ...]

    @property
    def extension(self) -> str:
        """The extension a cleaned name gets when it has none (without the dot)."""
        return self.extensions[0]

    @property
    def is_inline(self) -> bool:
        """True for PDF and images, which a browser may show instead of saving."""
        return self.mime in ("application/pdf", "image/png", "image/jpeg")


PDF = FileKind("application/pdf", "PDF", ("pdf",))
PNG = FileKind("image/png", "PNG", ("png",))
JPEG = FileKind("image/jpeg", "JPEG", ("jpg", "jpeg"))
DOCX = FileKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX", ("docx",)
)
XLSX = FileKind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX", ("xlsx",)
)
PPTX = FileKind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PPTX", ("pptx",)
)
ODT = FileKind("application/vnd.oasis.opendocument.text", "ODT", ("odt",))
ODS = FileKind("application/vnd.oasis.opendocument.spreadsheet", "ODS", ("ods",))
ODP = FileKind("application/vnd.oasis.opendocument.presentation", "ODP", ("odp",))

KINDS = (PDF, PNG, JPEG, DOCX, XLSX, PPTX, ODT, ODS, ODP)
KIND_BY_MIME = {kind.mime: kind for kind in KINDS}

# ECMA-376 Part 2 (Open Packaging Conventions): the content type of each main part.
OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
# OpenDocument 1.2 Part 3, 3.3: the first entry ``mimetype``, stored uncompressed.
ODF_MIMETYPES = {ODT.mime: ODT, ODS.mime: ODS, ODP.mime: ODP}
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"


class UploadRefused(ValueError):
    """An upload or link that Bruggen does not accept.

    ``message`` is the Dutch text to show; ``field`` names the form field it
    belongs to ("file" for uploads, "url" for links).
    """

    def __init__(self, message, field: str = "file") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class CheckedFile:
    """An accepted upload: its bytes, detected kind and cleaned display name."""

    data: bytes
    kind: FileKind
    name: str

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)


def _zip_kind(data: bytes) -> FileKind | None:
    """Return the OOXML or ODF kind of a ZIP container, None when it is neither."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if not infos:
        return None
    names = {info.filename for info in infos}
    first = infos[0]
    if first.filename == "mimetype" and first.file_size <= MAX_MANIFEST_SIZE:
        try:
            mimetype = archive.read(first).decode("ascii").strip()
        except (zipfile.BadZipFile, UnicodeDecodeError, ValueError, OSError, RuntimeError):
            return None
        kind = ODF_MIMETYPES.get(mimetype)
        return kind if kind and "content.xml" in names else None
    if "[Content_Types].xml" not in names:
        return None
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > MAX_MANIFEST_SIZE:
        return None
    try:
        root = ET.fromstring(archive.read(info))
    except (ET.ParseError, zipfile.BadZipFile, ValueError, OSError, RuntimeError):
        return None
    found = set()
    for override in root.iter(f"{CONTENT_TYPES_NS}Override"):
        kind = OOXML_MAIN_PARTS.get(override.get("ContentType", ""))
        part = override.get("PartName", "").lstrip("/")
        if kind is not None and part in names:
            found.add(kind)
    # One main part, present in the archive; macro-enabled types (docm, xlsm) are not listed.
    return found.pop() if len(found) == 1 else None


def detect_kind(data: bytes) -> FileKind | None:
    """Return the allowed kind of ``data`` judged by its content, or None when not allowed.

    PDF, PNG and JPEG by their magic numbers; OOXML (DOCX, XLSX, PPTX) by a
    ``[Content_Types].xml`` naming exactly one main part that exists; ODF
    (ODT, ODS, ODP) by a first entry ``mimetype``. Everything else (HTML, SVG,
    scripts, executables, macro-enabled Office files) gives None.
    """
    guess = filetype.guess(data[:8192])
    if guess is None:
        return None
    if guess.mime == "application/pdf" and data.startswith(b"%PDF-"):
        return PDF
    if guess.mime == "image/png":
        return PNG
    if guess.mime == "image/jpeg":
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None


def _strip_controls(text: str) -> str:
    # Cc: NUL, newlines...; Cf: invisible format characters such as U+202E (right-to-left
    # override), which can make "gpj.exe" look like "exe.jpg".
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))


def split_extension(name: str) -> tuple[str, str]:
    """Return (stem, lowercase extension without dot) of a bare file name; "" when none."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem.strip(". ") or not extension:
        return name, ""
    return stem, extension.lower()


def clean_filename(name: str | None, extensions: str | tuple[str, ...]) -> str:
    """Return a display name made from the user's ``name``, ending in an allowed extension.

    ``extensions``: the extensions of the detected kind, the first being the
    one added when the name has none of them ("pdf" or ("jpg", "jpeg")).
    Drops every path part (``/`` and ``\\``), control and invisible format
    characters (NUL, U+202E), characters Windows forbids in names, leading
    dots and spaces; an empty result (``""``, ``"."``, ``"...."``) becomes
    ``bestand.<extension>``. Cut to :data:`MAX_NAME_LENGTH` characters keeping
    the extension. The result is only ever shown or sent in
    ``Content-Disposition``; it never becomes a path (shared/cases K4).
    """
    if isinstance(extensions, str):
        extensions = (extensions,)
    text = unicodedata.normalize("NFC", _strip_controls(name or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join("_" if ch in '<>:"|?*' else ch for ch in text)
    text = " ".join(text.split())
    extension = extensions[0].lower()
    stem, dot, current = text.rpartition(".")
    if dot and current.lower() in extensions:
        text, extension = stem, current.lower()
    text = text.strip(". ") or FALLBACK_STEM
    suffix = "." + extension
    return text[: MAX_NAME_LENGTH - len(suffix)].rstrip(". ") + suffix


def check_upload(data: bytes, name: str | None) -> CheckedFile:
    """Return the accepted upload of ``data`` named ``name`` by the user.

    Raises :class:`UploadRefused` for an empty file, a kind that is not
    allowed (detected from the content: HTML, SVG, scripts, executables...),
    or a name whose extension names another kind than the content ("agenda.pdf"
    that is HTML, "foto.png" that is a PDF). A name without extension is given
    the detected one. Issue 6, "Uploads, done safely"; shared/cases K3, K4.
    """
    if not data:
        raise UploadRefused(_l("Het bestand is leeg. Kies een bestand met inhoud."))
    kind = detect_kind(data)
    if kind is None:
        raise UploadRefused(
            _l(
                "Dit soort bestand kan je hier niet delen. Toegelaten zijn: %(allowed)s.",
                allowed=ALLOWED_LIST,
            )
        )
    bare = clean_filename(name, kind.extensions)
    given = _strip_controls((name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip(". ")
    _, extension = split_extension(given)
    if extension and extension not in kind.extensions:
        raise UploadRefused(
            _l(
                "De naam van het bestand (.%(given)s) past niet bij de inhoud: "
                "het is een %(kind)s-bestand. Controleer of je het juiste bestand koos.",
                given=extension[:10],
                kind=kind.label,
            )
        )
    log.info("upload accepted: %s, %d bytes", kind.label, len(data))
    return CheckedFile(data=data, kind=kind, name=bare)


def check_web_link(url: str) -> str:
    """Return ``url`` stripped when it is an absolute http(s) link with a host.

    Raises :class:`UploadRefused` for other schemes (``javascript:``,
    ``data:``, ``ftp:``, ``file:``), relative links and links with spaces or
    control characters.
    """
    url = (url or "").strip()
    parts = urlsplit(url)
    has_bad_chars = any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or has_bad_chars:
        raise UploadRefused(
            _l("Geef een volledige webkoppeling die begint met https:// of http://."), "url"
        )
    return url


def extract_pdf_text(data: bytes) -> str:
    """Return the text of a PDF's pages (for the search), "" when it cannot be read.

    Read once on upload with ``pypdf``; at most :data:`MAX_PDF_PAGES` pages and
    :data:`MAX_PDF_TEXT` characters. Encrypted or damaged files give "".
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return ""
        parts = []
        size = 0
        for page in reader.pages[:MAX_PDF_PAGES]:
            text = page.extract_text() or ""
            parts.append(text)
            size += len(text)
            if size >= MAX_PDF_TEXT:
                break
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        log.warning("PDF text not extracted: %s", error)
        return ""
    text = " ".join(" ".join(parts).split())
    return text.replace("\x00", "")[:MAX_PDF_TEXT]


def read_upload(storage) -> CheckedFile | None:
    """Return the checked upload of a form's ``FileStorage``, None when no file was chosen.

    A part without a file name (the browser's "no file chosen") is no file.
    Raises :class:`UploadRefused` as :func:`check_upload` does. The body is
    already bounded by ``MAX_CONTENT_LENGTH`` (Werkzeug refuses larger ones).
    """
    if storage is None or not getattr(storage, "filename", None):
        return None
    return check_upload(storage.read(), storage.filename)
