"""Flask's signed-cookie sessions, with the signing serializer built once per key rather than per request.

Flask builds a new ``URLSafeTimedSerializer`` for every request it opens and saves a session in, and each
build serialises an empty dict to learn the serializer's type: about a tenth of a millisecond, twice per
request, on pages that otherwise cost little more than that. The serializer holds nothing per request, so
one per (secret key, fallback keys) serves every request; a new key, as in a test that changes it, gets its own.
"""
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SessionCookies(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = self._serializers[key] = super().get_signing_serializer(app)
        return serializer
