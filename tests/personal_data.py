"""Where a piece of personal data still sits: every text column of every table, searched in the database."""

import sqlalchemy as sa

from app.extensions import db


def text_columns() -> list[tuple[str, str]]:
    """(table, column) for every string or text column the models define, enum columns included."""
    return [
        (table.name, column.name)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, sa.String | sa.Text)
    ]


def where_found(*needles: str) -> list[tuple[str, str, str]]:
    """(table, column, needle) for each text column holding one of the needles, ignoring case."""
    found = []
    for table, column in text_columns():
        for needle in needles:
            statement = sa.text(f'SELECT count(*) FROM "{table}" WHERE lower(CAST("{column}" AS TEXT)) LIKE :pattern')
            if db.session.scalar(statement, {"pattern": f"%{needle.lower()}%"}):
                found.append((table, column, needle))
    return found
