"""`make i18n-check` (run by CI): the catalogues agree with the code and every language is complete.

Fails (exit 1, one line per problem) when
- the messages the code holds now (extracted afresh into a temporary .pot) differ from `messages.pot`;
- a language's .po lacks a message of the .pot, leaves one untranslated or fuzzy, or keeps one the .pot dropped;
- a language's compiled `messages.mo` does not hold exactly what its .po says (run `make i18n-compile`).

Line references and headers are ignored, so moving a string never fails the check; changing one does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRANSLATIONS = os.path.join(ROOT, "app", "translations")
POT = os.path.join(TRANSLATIONS, "messages.pot")
#: The same options as `make i18n-extract`.
EXTRACT_OPTIONS = ["-F", "babel.cfg", "-k", "lazy_gettext", "-k", "_l", "--no-location", "--sort-output", "--no-wrap"]


def _key(message) -> tuple:
    return (message.context, (message.id,) if isinstance(message.id, str) else tuple(message.id))


def _read_po(path: str):
    with open(path, "rb") as handle:
        return read_po(handle)


def _ids(catalog) -> set[tuple]:
    return {_key(m) for m in catalog if m.id}


def extract_fresh() -> str:
    """The code's messages as a .pot text (pybabel extract into a temporary file)."""
    pybabel = os.path.join(os.path.dirname(sys.executable), "pybabel")
    with tempfile.TemporaryDirectory() as tmp:
        target = os.path.join(tmp, "messages.pot")
        subprocess.run([pybabel, "-q", "extract", *EXTRACT_OPTIONS, "-o", target, "."], cwd=ROOT, check=True)
        with open(target, encoding="utf-8") as handle:
            return handle.read()


def problems_with_pot(fresh_pot_path: str) -> list[str]:
    fresh, kept = _ids(_read_po(fresh_pot_path)), _ids(_read_po(POT))
    found = [f"messages.pot lacks {key[1][0]!r}: run make i18n-extract" for key in sorted(fresh - kept, key=str)]
    found += [f"messages.pot still has {key[1][0]!r}: run make i18n-extract" for key in sorted(kept - fresh, key=str)]
    return found


def problems_with_language(language: str, template_ids: set[tuple]) -> list[str]:
    directory = os.path.join(TRANSLATIONS, language, "LC_MESSAGES")
    catalog = _read_po(os.path.join(directory, "messages.po"))
    found = []
    by_key = {_key(m): m for m in catalog if m.id}
    for key in sorted(template_ids - set(by_key), key=str):
        found.append(f"{language}: missing {key[1][0]!r}: run make i18n-update")
    for key in sorted(set(by_key) - template_ids, key=str):
        found.append(f"{language}: obsolete {key[1][0]!r}: run make i18n-update")
    for key, message in sorted(by_key.items(), key=lambda kv: str(kv[0])):
        if not all(_strings(message)):
            found.append(f"{language}: untranslated {key[1][0]!r}")
        if message.fuzzy:
            found.append(f"{language}: fuzzy {key[1][0]!r}")
    mo_path = os.path.join(directory, "messages.mo")
    if not os.path.isfile(mo_path):
        return [*found, f"{language}: no messages.mo: run make i18n-compile"]
    with open(mo_path, "rb") as handle:
        compiled = {_key(m): _strings(m) for m in read_mo(handle) if m.id}
    wanted = {key: _strings(m) for key, m in by_key.items() if not m.fuzzy and all(_strings(m))}
    if compiled != wanted:
        found.append(f"{language}: messages.mo differs from messages.po: run make i18n-compile")
    return found


def _strings(message) -> tuple:
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


def languages() -> list[str]:
    return sorted(
        name
        for name in os.listdir(TRANSLATIONS)
        if os.path.isfile(os.path.join(TRANSLATIONS, name, "LC_MESSAGES", "messages.po"))
    )


def main() -> int:
    with tempfile.NamedTemporaryFile("w", suffix=".pot", delete=False, encoding="utf-8") as handle:
        handle.write(extract_fresh())
    try:
        found = problems_with_pot(handle.name)
    finally:
        os.unlink(handle.name)
    template_ids = _ids(_read_po(POT))
    for language in languages():
        found += problems_with_language(language, template_ids)
    for line in found:
        print(line)
    if found:
        print(f"i18n-check: {len(found)} problem(s)")
        return 1
    print(f"i18n-check: catalogues up to date ({', '.join(languages())} complete)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
