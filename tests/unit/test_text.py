"""app.text: the one rule for control characters (checked where people type, cleaned where text leaves us)
and the one email normaliser."""

import pytest

from app.text import InvalidEmail, NeedsSmtputf8, clean_line, clean_text, has_control_characters, normalise_email


@pytest.mark.parametrize("text", ["a\nb", "a\rb", "a\tb", "bell\x07", "esc\x1b[0m", "nul\x00", "del\x7f"])
def test_a_one_line_value_may_hold_no_control_character(text):
    assert has_control_characters(text) is True


@pytest.mark.parametrize(("text", "expected"), [("a\r\nb\tc", False), ("a\nb\rc", False), ("bell\x07", True)])
def test_a_free_text_may_hold_line_breaks_and_tabs_only(text, expected):
    assert has_control_characters(text, multiline=True) is expected


@pytest.mark.parametrize("text", ["Ana Silva", "Jöran – ½ ✓", "", "\x80 is C1, not refused"])
def test_printable_text_and_c1_characters_pass(text):
    assert has_control_characters(text) is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Eve\r\nBcc: victim@example.com", "Eve Bcc: victim@example.com"),
        ("  Looking \t Ahead\x07\x7f ", "Looking Ahead"),
        ("A\u2028B\xa0C", "A B C"),
        ("Plain title", "Plain title"),
    ],
)
def test_clean_line_turns_control_characters_and_white_space_runs_into_one_space(text, expected):
    assert clean_line(text) == expected


def test_clean_text_keeps_line_breaks_as_lf_and_tabs_and_drops_other_control_characters():
    assert clean_text("One\r\nTwo\rThree\n\tFour\x07\x00\x7f") == "One\nTwo\nThree\n\tFour"


# --- the email normaliser ----------------------------------------------------------------------------


def test_normalise_email_trims_and_lower_cases_the_whole_address_as_stored_addresses_are():
    assert normalise_email("  Ana.Silva@Example.ORG ") == "ana.silva@example.org"


def test_normalise_email_gives_one_form_for_both_spellings_of_an_internationalised_domain():
    assert (
        normalise_email("Jose@BÜCHER.example") == normalise_email("jose@xn--bcher-kva.example") == "jose@bücher.example"
    )


@pytest.mark.parametrize(
    "text", [None, "", "ana", "ana@example", "ana@example..org", "a b@example.org", "a\r\n@example.org", "ana@x.local"]
)
def test_normalise_email_refuses_a_blank_or_malformed_address(text):
    with pytest.raises(InvalidEmail, match="Please give a valid email address"):
        normalise_email(text)


def test_normalise_email_takes_a_non_ascii_local_part_only_when_the_mail_server_offers_smtputf8():
    with pytest.raises(NeedsSmtputf8, match="use one with only ASCII letters before the @"):
        normalise_email("jöran@example.org", smtputf8=False)

    assert normalise_email("Jöran@Example.org", smtputf8=True) == "jöran@example.org"
