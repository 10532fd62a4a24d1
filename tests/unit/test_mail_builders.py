"""The speaker and organiser message builders in app/mail: what each message says, to whom, and that a
private link never enters a stored body."""

from app.extensions import db
from app.mail import organiser_messages, speaker_messages
from app.mail.outbox import links_of, with_links
from app.models import Organiser
from tests.factories import (
    at,
    make_appearance,
    make_event,
    make_item,
    make_online_session,
    make_registration,
    make_session,
)


def test_the_sign_in_link_greets_the_speaker_and_holds_the_link_only_as_a_private_link(app_context):
    person = make_appearance(make_item(make_session(make_event()))).person

    message = speaker_messages.queue_sign_in_link(person.email, person, "https://ev.example.org/speaker/sign-in/t0k")

    assert (message.kind, message.to_address, message.to_name) == ("speaker_link", person.email, person.display_name)
    assert message.body_text.startswith(f"Dear {person.display_name},\n")
    assert "t0k" not in message.body_text + message.body_html
    assert "https://ev.example.org/speaker/sign-in/t0k" in with_links(message.body_text, links_of(message))
    assert "The link works once, for 30 minutes." in message.body_text


def test_a_slot_change_says_what_changed_in_the_zone_given_and_carries_the_invite_given(app_context):
    event = make_event(title="MPF Exchange Event", timezone="Europe/Brussels")
    item = make_item(make_session(event, title="Morning"), title="Looking Ahead", starts_at=at(9), ends_at=at(10))
    appearance = make_appearance(item)

    moved = speaker_messages.queue_slot_changed(
        appearance, change="moved", zone="Asia/Tokyo", ics="BEGIN:VCALENDAR", ics_method="REQUEST"
    )

    assert (moved.kind, moved.subject) == ("speaker_update", "Your slot has been moved: Looking Ahead")
    assert (moved.ics, moved.ics_method, moved.person_id) == ("BEGIN:VCALENDAR", "REQUEST", appearance.person_id)
    assert (
        "has moved.\nIt is now on Wednesday 30 October 2030, 18:00–19:00 JST (Asia/Tokyo); "
        "Wednesday 30 October 2030, 10:00–11:00 CET in the event's zone (Europe/Brussels).\n"
    ) in moved.body_text
    same_zone = speaker_messages.queue_slot_changed(
        appearance, change="added", zone="Europe/Brussels", ics="BEGIN:VCALENDAR", ics_method="REQUEST"
    )
    assert "on Wednesday 30 October 2030, 10:00–11:00 CET (Europe/Brussels).\n" in same_zone.body_text


def test_the_password_reset_holds_the_link_only_as_a_private_link(app_context):
    organiser = Organiser(email="ana@example.org", name="Ana", password_hash="x")
    db.session.add(organiser)

    message = organiser_messages.queue_password_reset(
        organiser, "https://ev.example.org/organiser/reset/t0k", now=at(8)
    )

    assert (message.kind, message.to_address, message.subject) == (
        "organiser_password_reset",
        "ana@example.org",
        "Reset your organiser password",
    )
    assert "t0k" not in message.body_text and links_of(message) == ["https://ev.example.org/organiser/reset/t0k"]


def test_a_message_to_a_registrant_fills_the_greeting_signs_with_the_contact_and_escapes_the_html(app_context):
    session = make_online_session(title="Follow-up")
    session.event.contact_name = "MPF team"
    registration = make_registration(session, full_name="Ana Silva", email="ana@example.com")

    message = organiser_messages.queue_message_to_registrant(
        registration, session, subject="Agenda", body="Dear {name},\n\nSee you <soon>.\n\nBring questions.", now=at(8)
    )

    assert message.body_text == "Dear Ana Silva,\n\nSee you <soon>.\n\nBring questions.\n\n-- \nMPF team\nFollow-up\n"
    assert message.body_html == (
        "<p>Dear Ana Silva,</p><p>See you &lt;soon&gt;.</p><p>Bring questions.</p><p>-- <br>MPF team<br>Follow-up</p>"
    )
    assert (message.kind, message.registration_id, message.created_at) == ("organiser_message", registration.id, at(8))


def test_a_message_without_the_greeting_has_none_and_one_greeting_is_never_doubled(app_context):
    session = make_online_session(title="Follow-up")
    registration = make_registration(session, full_name="Ana Silva", email="ana@example.com")

    plain = organiser_messages.queue_message_to_registrant(
        registration, session, subject="S", body="Hi all.", now=at(8)
    )
    greeted = organiser_messages.queue_message_to_registrant(
        registration, session, subject="S", body="Dear {name},\n\nHi.", now=at(8)
    )

    assert plain.body_text.startswith("Hi all.\n\n-- \n")
    assert greeted.body_text.startswith("Dear Ana Silva,\n\nHi.") and greeted.body_text.count("Dear") == 1


def test_the_html_part_makes_paragraphs_and_links_of_bare_addresses_and_escapes_the_rest():
    text = (
        "Slides: https://ex.org/a?b=1&c=2.\nMore (see https://ex.org/x).\n\n"
        '<script>alert(1)</script> "http://q.example/p" javascript:alert(1) https://'
    )

    assert organiser_messages.text_to_html(text) == (
        '<p>Slides: <a href="https://ex.org/a?b=1&amp;c=2">https://ex.org/a?b=1&amp;c=2</a>.<br>'
        'More (see <a href="https://ex.org/x">https://ex.org/x</a>).</p>'
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &#34;"
        '<a href="http://q.example/p">http://q.example/p</a>&#34; javascript:alert(1) https://</p>'
    )
