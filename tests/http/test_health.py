"""Liveness and readiness, and a database outage answered with a 503 page instead of a traceback."""

from app import create_app
from tests.conftest import free_port, make_config


def _app_on_a_closed_port():
    """The app pointed at a PostgreSQL port where nothing listens: the database is down."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing?connect_timeout=2"
    return create_app(make_config(SQLALCHEMY_DATABASE_URI=url))


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")

    assert response.get_json() == {"status": "ok"}


def test_readyz_answers_ok_when_the_database_does(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_when_the_database_is_down_answers_503_and_logs_the_reason_only(caplog):
    app = _app_on_a_closed_port()

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json() == {"status": "unavailable"}
    assert "127.0.0.1" not in response.get_data(as_text=True)
    (record,) = [r for r in caplog.records if r.name == "app" and r.levelname == "WARNING"]
    assert record.getMessage().startswith("not ready: the database cannot be reached: ")
    assert "127.0.0.1" in record.getMessage()


def test_healthz_stays_alive_when_the_database_is_down():
    app = _app_on_a_closed_port()

    response = app.test_client().get("/healthz")

    assert response.get_json() == {"status": "ok"}


def test_a_page_when_the_database_is_down_is_a_503_page_not_a_traceback():
    app = _app_on_a_closed_port()

    response = app.test_client().get("/")
    page = response.get_data(as_text=True)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "<h1>Service Unavailable</h1>" in page
    assert "briefly unavailable. Please try again in a moment." in page
    assert "Traceback" not in page
    assert "OperationalError" not in page
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_query_count_header_counts_the_statements_of_a_request(app_context, count_queries):
    app = create_app(make_config(QUERY_COUNT_HEADER=True))

    with app.app_context(), count_queries() as statements:
        ready = app.test_client().get("/readyz")
    health = app.test_client().get("/healthz")

    assert ready.headers["X-Query-Count"] == str(len(statements)) == "1"
    assert health.headers["X-Query-Count"] == "0"


def test_query_count_header_is_off_by_default(client):
    assert "X-Query-Count" not in client.get("/").headers
