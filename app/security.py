"""Secret tokens: at least 256 bits, only their hash is stored."""

import hashlib
import hmac
import secrets


def new_token() -> str:
    """A URL-safe token of 256 bits."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """sha256 of the token; a token of 256 random bits needs no salt or slow hash."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def tokens_match(token: str, token_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), token_hash)
