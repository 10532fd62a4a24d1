"""The zones people choose from: tzdata's canonical zones, labelled by city, country and offset, found by words."""

from datetime import UTC, datetime
from importlib import resources
from zoneinfo import ZoneInfo

from app import zones

WINTER = datetime(2027, 1, 15, 12, tzinfo=UTC)
SUMMER = datetime(2027, 7, 15, 12, tzinfo=UTC)


def _tzdata_lines(prefix: str) -> set[str]:
    text = resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text(encoding="utf-8")
    return {line.split()[1 if prefix == "Z " else 2] for line in text.splitlines() if line.startswith(prefix)}


def test_the_list_is_tzdatas_canonical_zones_without_aliases_links_or_duplicates():
    names = [z.name for z in zones.canonical_zones()]
    zone_lines, link_lines = _tzdata_lines("Z "), _tzdata_lines("L ")

    assert len(names) == len(set(names)) > 300
    assert set(names) - zone_lines == {"UTC"}  # UTC itself, tzdata's name for Etc/UTC
    assert not set(names) & (link_lines - {"UTC"})
    for alias in ("GB", "Turkey", "US/Eastern", "Europe/Amsterdam", "Asia/Calcutta", "Factory", "localtime"):
        assert alias not in names
    for name in names:
        assert ZoneInfo(name).utcoffset(WINTER) is not None
    labels = [z.label(WINTER) for z in zones.canonical_zones()]
    assert len(labels) == len(set(labels))


def test_labels_give_city_country_and_the_current_offset():
    assert zones.label("Asia/Tbilisi", WINTER) == "Tbilisi, Georgia (UTC+4)"
    assert zones.label("Asia/Kolkata", WINTER) == "Kolkata, India (UTC+5:30)"
    assert zones.label("America/New_York", WINTER) == "New York, United States (UTC-5)"
    assert zones.label("America/New_York", SUMMER) == "New York, United States (UTC-4)"
    assert zones.label("Europe/London", SUMMER) == "London, United Kingdom (UTC+1)"
    assert zones.label("Atlantic/Cape_Verde", WINTER) == "Cape Verde (UTC-1)"
    assert zones.label("UTC", WINTER) == "UTC (Coordinated Universal Time)"
    # Links, stored before or a browser's older names: their own city and country, else their target's
    assert zones.label("Europe/Amsterdam", WINTER) == "Amsterdam, Netherlands (UTC+1)"
    assert zones.label("America/Buenos_Aires", WINTER) == "Buenos Aires, Argentina (UTC-3)"
    assert zones.label("Turkey", WINTER) == "Istanbul, Turkey (UTC+3)"


def test_find_by_city_country_label_or_old_name():
    def found(text):
        return zones.find(text).zone

    assert found("Tbilisi") == found("tbilisi ") == found("Georgia") == "Asia/Tbilisi"
    assert found("Tbilisi, Georgia (UTC+4)") == found("Asia/Tbilisi") == "Asia/Tbilisi"
    assert found("sao paulo") == "America/Sao_Paulo"
    assert found("Britain") == found("GB") == "Europe/London"
    assert found("Turkey") == "Europe/Istanbul"
    assert found("Amsterdam") == found("Netherlands") == "Europe/Brussels"


def test_find_lists_several_matches_or_says_nothing_matches():
    states = zones.find("United States")
    georg = zones.find("georg")
    nothing = zones.find("Atlantis")

    assert states.zone is None and 1 < len(states.matches) <= zones.MAX_MATCHES
    assert {z.countries[0] for z in states.matches} == {"United States"}
    assert [z.name for z in georg.matches] == ["Atlantic/South_Georgia", "Asia/Tbilisi"]
    assert georg.problem() == "Several time zones match “georg”: choose one, or type its city."
    assert nothing.matches == () and nothing.problem() == (
        "No time zone matches “Atlantis”: type a city, such as Lisbon, or a country."
    )
    assert zones.find("").problem() is None and zones.find("<b>x</b>").matches == ()


def test_in_french_labels_use_cldrs_city_and_country_names(app_context):
    from app.i18n import in_language

    with in_language("fr"):
        assert zones.label("Asia/Tbilisi", WINTER) == "Tbilissi, Géorgie (UTC+4)"
        assert zones.label("Europe/Brussels", WINTER) == "Bruxelles, Belgique (UTC+1)"
        assert zones.label("Africa/Cairo", WINTER) == "Le Caire, Égypte (UTC+2)"
        assert zones.label("Atlantic/Cape_Verde", WINTER) == "Cap-Vert (UTC-1)"
        assert zones.label("Europe/Amsterdam", WINTER) == "Amsterdam, Pays-Bas (UTC+1)"  # a link, as zone.tab has it
        assert zones.label("UTC", WINTER) == "UTC (temps universel coordonné)"
        labels = [z.label(WINTER) for z in zones.canonical_zones()]
    assert len(labels) == len(set(labels))
    assert zones.label("Asia/Tbilisi", WINTER) == "Tbilisi, Georgia (UTC+4)"  # and English outside


def test_a_search_finds_a_zone_by_its_english_or_its_french_names_in_either_language(app_context):
    from app.i18n import in_language

    for language in ("en", "fr"):
        with in_language(language):
            found = {words: zones.find(words).zone for words in ("Géorgie", "georgie", "Tbilissi", "Georgia",
                     "Le Caire", "Cairo", "Londres", "Royaume-Uni", "Bruxelles", "Cap-Vert")}  # fmt: skip
            assert found == {
                "Géorgie": "Asia/Tbilisi",
                "georgie": "Asia/Tbilisi",
                "Tbilissi": "Asia/Tbilisi",
                "Georgia": "Asia/Tbilisi",
                "Le Caire": "Africa/Cairo",
                "Cairo": "Africa/Cairo",
                "Londres": "Europe/London",
                "Royaume-Uni": "Europe/London",
                "Bruxelles": "Europe/Brussels",
                "Cap-Vert": "Atlantic/Cape_Verde",
            }, language
            assert len(zones.find("États-Unis").matches) > 1  # several zones: choose one
