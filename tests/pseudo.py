"""The pseudo-locale: every message of messages.pot, accented and wrapped in ⟦…⟧, compiled at test time.

A page rendered in it shows each catalogue message as "⟦Ŭpçőmîñğ évéñtš⟧"; whatever visible text is left outside
the markers did not come from the catalogue. `escaped_text(html, data=...)` returns those leftovers, once the
page's own data (event titles, names, dates, the languages' own names) is taken out.

The pseudo-locale is Esperanto ("eo"): a code Babel knows (dates and plural rules work) that no catalogue of
the app uses. Later waves add their pages to the list of the pseudo-locale test in tests/http/test_i18n.py.
"""

from __future__ import annotations

import html as html_module
import os
import re
from html.parser import HTMLParser

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PSEUDO = "eo"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POT = os.path.join(ROOT, "app", "translations", "messages.pot")
OPEN, CLOSE = "⟦", "⟧"

_ACCENTS = str.maketrans(
    "aceginorsuyACEGINORSUY",
    "áçéğîñőŕšŭýÁÇÉĞÎÑŐŔŠŬÝ",
)
#: What must keep its exact form in a translation: placeholders, HTML tags and entities.
_KEEP = re.compile(r"(%\([^)]*\)[sd]|%[sd]|<[^>]*>|&[#\w]+;)")


def pseudo(text: str) -> str:
    """'Upcoming %(n)s <b>events</b>' -> '⟦Ŭpçőmîñğ %(n)s <b>évéñtš</b>⟧': letters accented, placeholders and tags
    kept."""
    parts = _KEEP.split(text)
    accented = "".join(part if i % 2 else part.translate(_ACCENTS) for i, part in enumerate(parts))
    return f"{OPEN}{accented}{CLOSE}"


def build_catalogue(directory: str) -> str:
    """Write <directory>/eo/LC_MESSAGES/messages.mo from messages.pot; returns the directory."""
    with open(POT, "rb") as handle:
        catalog = read_po(handle, locale=PSEUDO)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, (list, tuple)):
            message.string = tuple(pseudo(form) for form in message.id)
        else:
            message.string = pseudo(message.id)
    target = os.path.join(directory, PSEUDO, "LC_MESSAGES")
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(target, "messages.mo"), "wb") as handle:
        write_mo(handle, catalog)
    return directory


class _Visible(HTMLParser):
    """Text a person reads: text nodes (the page's <title> included) outside script and style, plus the
    attributes shown or read aloud (title, alt, placeholder, aria-label, a button's value)."""

    SKIP = {"script", "style"}
    SHOWN_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skipping += 1
        values = dict(attrs)
        for name in self.SHOWN_ATTRIBUTES:
            if values.get(name):
                self.parts.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Visible()
    parser.feed(page)
    return "\n".join(parser.parts)


#: A message with no message inside it: a count phrase filling a sentence's placeholder is marked inside the
#: sentence's own markers, so the innermost ones go first.
_MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
#: What is no word: punctuation, digits, white space.
_NOT_WORDS = re.compile(r"^[\W\d_]*$")


def escaped_text(page: str, *, data: tuple[str, ...] = ()) -> list[str]:
    """The visible text of `page` that is neither inside ⟦…⟧ nor one of the `data` strings (the page's own
    content), as a list of fragments; [] when every word came from the catalogue."""
    text = html_module.unescape(visible_text(page))
    while True:
        text, found = _MARKED.subn(" ", text)
        if not found:
            break
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    fragments = (fragment.strip() for fragment in re.split(r"\s{2,}|\n", text))
    return [fragment for fragment in fragments if fragment and not _NOT_WORDS.match(fragment)]
