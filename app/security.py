"""Secret tokens: at least 256 bits, only their hash is stored."""

import hashlib
import secrets

from flask import current_app
from werkzeug.security import generate_password_hash


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
