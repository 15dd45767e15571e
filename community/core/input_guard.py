"""Control characters refused or removed at the edge, once for every request (issue 13, item 9).

PostgreSQL refuses a NUL (``\\x00``) in any text value, so a NUL that reached a query
answered 500 wherever the request's text was compared or stored; SQLite takes it, so
the SQLite tests never saw it. Rather than guard each query, every request is looked at
once, before any view (or anything else that reads the database) runs:

* **Path**: no web address of Bruggen holds a control character (slugs, tokens and ids
  are letters, digits, ``-`` and ``_``), so a path with one names nothing: **404**.
* **Query string**: parameters come from our own links and GET forms (filters, the
  search box), which never carry control characters either; one in a name or value is
  a mangled or forged link: **400** with a message saying so, in the user's language.
* **Form fields** are text people typed or pasted, and pasted text does carry control
  characters that nobody can see: Word's manual line break (vertical tab) and page
  break (form feed), the NEL of old encodings, a stray NUL from a PDF. Refusing the
  form would ask the user to remove a character they cannot see, so they are
  *removed* instead (``text.clean_text``): vertical tab, form feed and NEL become a line
  break, the other C0 and C1 controls and DEL are dropped; tab, CR and LF stay
  (multi-line fields need them; single-line fields make them one line with
  :func:`community.core.text.one_line`, issue 13 item 10). The names of uploaded files
  are cleaned the same way; their bytes are never touched.

Invalid UTF-8 needs no rule here: Werkzeug decodes a path's bytes that are not UTF-8 as
U+FFFD and keeps them percent-encoded in a query or form ("caf%E9"): valid text either way.
"""

from __future__ import annotations

from flask import Flask, abort, request
from flask import Request as FlaskRequest
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from community.core.text import ANY_CONTROL, FORM_CONTROL, clean_text, has_control

INVALID_QUERY = _l(
    "Het webadres bevat een onzichtbaar stuurteken en kan daarom niet gebruikt worden. "
    "Kies de filter opnieuw of typ je zoekterm opnieuw in het zoekveld."
)


def _clean_multidict(data: MultiDict) -> ImmutableMultiDict:
    return ImmutableMultiDict(
        [(clean_text(key), clean_text(value)) for key, value in data.items(multi=True)]
    )


class Request(FlaskRequest):
    """Flask's request, whose form fields and upload names never hold control characters."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form is not None and any(
            FORM_CONTROL.search(key) or FORM_CONTROL.search(value)
            for key, value in form.items(multi=True)
        ):
            self.__dict__["form"] = _clean_multidict(form)
        files = self.__dict__.get("files")
        for _name, storage in files.items(multi=True) if files is not None else ():
            if storage.filename:
                storage.filename = ANY_CONTROL.sub("", storage.filename)


def refuse_control_characters() -> None:
    """before_request: 404 for a control character in the path, 400 in the query string."""
    if has_control(request.path):
        abort(404)
    if any(has_control(k) or has_control(v) for k, v in request.args.items(multi=True)):
        abort(400, description=INVALID_QUERY)


def init_app(app: Flask) -> None:
    """Install :class:`Request` and the path/query check, before every other hook.

    The check is the first ``before_request`` function, so nothing registered
    earlier (the rate limiter, say) or later sees a refused request's text.
    """
    app.request_class = Request
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_control_characters)
