"""django-oauth-toolkit's settings for the Open Badges 3.0 API, imported by microcred/settings/signin.py as
OAUTH2_PROVIDER. A plain dict with no imports, so that reading it loads nothing before the settings are done."""

OAUTH2_PROVIDER = {
    # The scopes a client may ask for are those it registered (ob3/scopes.py), never more.
    "SCOPES_BACKEND_CLASS": "ob3.scopes.RegisteredScopes",
    "PKCE_REQUIRED": True,
    # S256 only: the "plain" method would hand the verifier to whoever reads the authorization request.
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    # Tokens are kept as their SHA-256 digest, so a copy of the database cannot call the API as anyone.
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    # A bearer token in a query string lands in logs; only the Authorization header is read.
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 60 * 60,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 60 * 60 * 24 * 90,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # The authorization response names its issuer (RFC 9207), so a client talking to several servers can tell
    # which one answered (the mix-up attack RFC 9700 describes).
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    # http only for loopback redirect URIs (native apps, RFC 8252); ob3/registration.py refuses any other. DOT's
    # deploy check warns of http in this list whatever the host (oauth2_provider.W008, silenced in the settings).
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"],
    "ALLOW_LOCALHOST_LOOPBACK": True,
    # The earner is asked every time: an earlier approval is no approval of a new request.
    "REQUEST_APPROVAL_PROMPT": "force",
}
