"""Languages without HTTP: which language is chosen, the safe way back, names in collation order, dates per language,
mail written in the recipient's language, and the catalogues' check."""

import os
import shutil
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale, gettext

from app import i18n, i18n_check, timeutil

BRUSSELS = "Europe/Brussels"
START = datetime(2027, 10, 30, 8, 0, tzinfo=UTC)  # 10:00 CEST
END = datetime(2027, 10, 30, 9, 30, tzinfo=UTC)


def _chosen(app, **headers_and_cookie) -> str:
    cookie = headers_and_cookie.pop("cookie", None)
    headers = {"Cookie": f"lang={cookie}"} if cookie is not None else {}
    headers.update(headers_and_cookie)
    with app.test_request_context("/", headers=headers):
        return i18n.select_language()


def test_the_languages_offered_are_english_and_every_compiled_catalogue(app):
    assert app.extensions["languages"] == ("en", "fr")


def test_the_cookie_wins_over_accept_language(app):
    assert _chosen(app, cookie="en", **{"Accept-Language": "fr-FR,fr;q=0.9"}) == "en"
    assert _chosen(app, cookie="fr", **{"Accept-Language": "en-GB"}) == "fr"


def test_accept_language_picks_the_best_offered_language_else_english(app):
    assert _chosen(app, **{"Accept-Language": "fr-BE,fr;q=0.9,en;q=0.5"}) == "fr"
    assert _chosen(app, **{"Accept-Language": "pt-PT,pt;q=0.9,fr;q=0.3"}) == "fr"
    assert _chosen(app, **{"Accept-Language": "de-DE,pt;q=0.9"}) == "en"
    assert _chosen(app) == "en"


def test_an_unknown_or_malformed_cookie_is_ignored(app):
    for value in ("de", "xx", "", "../fr", "FR", "fr-FR"):
        assert _chosen(app, cookie=value, **{"Accept-Language": "fr"}) == "fr", value
        assert _chosen(app, cookie=value) == "en", value


def test_only_a_path_of_this_site_is_a_way_back():
    assert i18n.safe_next("/events/mpf/sessions/3/") == "/events/mpf/sessions/3/"
    assert i18n.safe_next("/?tz=Asia/Tbilisi") == "/?tz=Asia/Tbilisi"
    for target in (
        None,
        "",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "events/",
        "/\nSet-Cookie: x=1",
        "/\x00",
        "/x\\y",
    ):
        assert i18n.safe_next(target) == "/", target


def test_a_language_is_found_by_its_compiled_catalogue_only(tmp_path):
    for code, compiled in (("fr", True), ("pt", True), ("de", False), ("notalocale", True)):
        folder = tmp_path / code / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "messages.po").write_text("")
        if compiled:
            (folder / "messages.mo").write_bytes(b"")
    (tmp_path / "messages.pot").write_text("")

    assert i18n.languages_in(str(tmp_path)) == ("en", "fr", "pt")
    assert i18n.languages_in(str(tmp_path / "missing")) == ("en",)


def test_names_sort_by_the_unicode_collation_not_by_character_codes():
    names = ["Tangney", "Škarnulis", "zimmer", "Álvarez", "Eriksson", "Émile", "Ørsted", "Ziegler"]

    assert sorted(names) != sorted(names, key=i18n.sort_key)
    assert sorted(names, key=i18n.sort_key) == [
        "Álvarez",
        "Émile",
        "Eriksson",
        "Ørsted",
        "Škarnulis",
        "Tangney",
        "Ziegler",
        "zimmer",
    ]
    assert i18n.sort_key("Škarnulis", "fr") < i18n.sort_key("Tangney", "fr")


def test_people_sort_by_surname_in_collation_order():
    people = ["Aisling Tangney", "Dovilė Škarnulis", "Erik Silfversten", "Ana María López"]

    assert sorted(people, key=i18n.surname_key) == [
        "Ana María López",
        "Erik Silfversten",
        "Dovilė Škarnulis",
        "Aisling Tangney",
    ]


def test_english_dates_read_as_before(app_context):
    assert timeutil.format_when(START, END, BRUSSELS) == "Saturday 30 October 2027, 10:00–11:30 CEST"
    assert timeutil.format_datetime(START, BRUSSELS) == "Saturday 30 October 2027, 10:00 CEST"
    assert timeutil.format_time(START, "Asia/Tbilisi") == "12:00"
    assert timeutil.format_long_date(date(2027, 10, 30)) == "30 October 2027"
    late = datetime(2027, 10, 30, 22, 30, tzinfo=UTC)
    assert timeutil.format_range(START, late, BRUSSELS) == "10:00–31 Oct 00:30 CEST"


def test_french_dates_follow_french_forms(app_context):
    with force_locale("fr"):
        assert timeutil.format_when(START, END, BRUSSELS) == "samedi 30 octobre 2027, 10:00–11:30 CEST"
        assert timeutil.format_datetime(START, BRUSSELS) == "samedi 30 octobre 2027, 10:00 CEST"
        assert timeutil.format_long_date(date(2027, 10, 30)) == "30 octobre 2027"
        late = datetime(2027, 10, 30, 22, 30, tzinfo=UTC)
        assert timeutil.format_range(START, late, BRUSSELS) == "10:00–31 oct. 00:30 CEST"


def test_dates_outside_any_app_are_english():
    assert timeutil.format_when(START, END, BRUSSELS) == "Saturday 30 October 2027, 10:00–11:30 CEST"


def test_a_builder_runs_in_the_recipients_language_whatever_the_page_is_in(app):
    @i18n.in_recipient_language(lambda language: language)
    def subject(language):
        return gettext("Registered: %(title)s", title="Suivi"), i18n.current_language()

    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert subject("en") == ("Registered: Suivi", "en")
        assert subject(None) == ("Registered: Suivi", "en")
        assert subject("de") == ("Registered: Suivi", "en")  # not offered: English
        assert i18n.current_language() == "fr"
    with app.test_request_context("/"):
        assert subject("fr") == ("Inscription confirmée\u00a0: Suivi", "fr")


def test_the_catalogues_are_up_to_date_with_the_code_and_french_is_complete(capsys):
    """What `make i18n-check` runs in CI: it fails when a wrapped string is not in messages.pot or French."""
    assert i18n_check.main() == 0, capsys.readouterr().out


@pytest.fixture
def copied_translations(tmp_path, monkeypatch):
    copy = tmp_path / "translations"
    shutil.copytree(i18n_check.TRANSLATIONS, copy)
    monkeypatch.setattr(i18n_check, "TRANSLATIONS", str(copy))
    monkeypatch.setattr(i18n_check, "POT", str(copy / "messages.pot"))
    return copy


def test_the_check_names_untranslated_fuzzy_and_stale_compiled_messages(copied_translations):
    po = copied_translations / "fr" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgid "Gone"\nmsgstr "Disparu"', '#, fuzzy\nmsgid "Gone"\nmsgstr "Disparu"')
    text = text.replace('msgid "Cancelled"\nmsgstr "Annulé"', 'msgid "Cancelled"\nmsgstr ""')
    po.write_text(text, encoding="utf-8")
    ids = i18n_check._ids(i18n_check._read_po(i18n_check.POT))

    assert i18n_check.problems_with_language("fr", ids) == [
        "fr: untranslated 'Cancelled'",
        "fr: fuzzy 'Gone'",
        "fr: messages.mo differs from messages.po: run make i18n-compile",
    ]


def test_the_check_names_messages_the_code_has_and_the_pot_lacks(copied_translations, tmp_path):
    fresh = tmp_path / "fresh.pot"
    pot = (copied_translations / "messages.pot").read_text(encoding="utf-8")
    pot = pot.replace('msgid "Gone"\nmsgstr ""', 'msgid "Gone away"\nmsgstr ""')
    fresh.write_text(pot, encoding="utf-8")

    assert i18n_check.problems_with_pot(str(fresh)) == [
        "messages.pot lacks 'Gone away': run make i18n-extract",
        "messages.pot still has 'Gone': run make i18n-extract",
    ]
    assert os.path.isfile(copied_translations / "fr" / "LC_MESSAGES" / "messages.mo")
