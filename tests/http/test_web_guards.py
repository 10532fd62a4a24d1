"""Paths carrying a NUL character, or ids beyond 32 bits, are refused on every route before any query runs."""

import pytest

from app.demo.loader import load_demo
from tests.http.test_security_headers import NOW


@pytest.mark.parametrize(
    "url",
    ["/events/%00/", "/events/x%00/speakers/", "/events/drill/sessions/1%00/", "/%00"],
)
def test_get_with_a_nul_character_is_a_400_page(client, count_queries, url):
    with count_queries() as statements:
        response = client.get(url)

    assert response.status_code == 400
    assert "The request contains a NUL character" in response.get_data(as_text=True)
    assert statements == []


def test_a_form_with_a_nul_character_is_left_to_the_view(client):
    response = client.post("/healthz", data={"name": "Ana\x00"})

    # The route's own answer (it takes no POST), not the guard's 400.
    assert response.status_code == 405
    assert "Method Not Allowed" in response.text
    assert "NUL character" not in response.text


def test_ordinary_requests_and_query_parameters_pass_the_guard(client):
    load_demo(today=NOW.date(), now=NOW)

    response = client.get("/?tz=Europe/Brussels%00")

    assert response.status_code == 200
    assert "MPF Exchange Event" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/organiser/events/99999999999999999999/people/new", "/events/x/sessions/2147483648/"])
def test_an_id_beyond_32_bits_is_a_404_before_any_query(client, count_queries, url):
    with count_queries() as statements:
        response = client.get(url)

    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)
    assert statements == []
