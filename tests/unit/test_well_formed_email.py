"""`well_formed_email`: the key of the per-address rate limits."""

import pytest

from app.text import well_formed_email


def test_a_well_formed_address_comes_back_trimmed_and_lower_cased():
    assert well_formed_email("  Ana.Silva@Example.ORG ") == "ana.silva@example.org"


@pytest.mark.parametrize(
    "text",
    [None, "", "   ", "ana", "ana@", "@example.org", "ana@example..org", "ana@exa mple.org", "a\r\n@example.org"],
)
def test_a_blank_or_malformed_address_is_none(text):
    assert well_formed_email(text) is None


def test_an_address_longer_than_254_characters_is_none():
    assert well_formed_email("a" * 64 + "@" + "b" * 190 + ".org") is None
