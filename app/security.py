"""Secret tokens: at least 256 bits, only their hash is stored."""

import hashlib
import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import update
from werkzeug.security import generate_password_hash

from app.extensions import db


def new_token() -> str:
    """A URL-safe token of 256 bits."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """sha256 of the token; a token of 256 random bits needs no salt or slow hash."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    """Werkzeug's salted hash by the configured method: scrypt (Werkzeug's default) everywhere but the tests,
    which use a fast method so that a thousand sign-ins do not cost minutes of CPU."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def use_link_once(model, owner_column, token: str, *, now: datetime) -> int | None:
    """Mark a single-use link (a row of `model` with token_hash, used_at, expires_at) used, in one conditional
    UPDATE, so that of concurrent uses exactly one wins; the owner's id from `owner_column`, or None when the
    link is unknown, used or expired (the caller then says which)."""
    return db.session.execute(
        update(model)
        .where(model.token_hash == hash_token(token), model.used_at.is_(None), model.expires_at > now)
        .values(used_at=now)
        .returning(owner_column)
    ).scalar()
