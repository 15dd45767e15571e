"""Request, intake and planning of a case table (issue 19): routes on
:data:`casetables.views.bp`."""

from __future__ import annotations
