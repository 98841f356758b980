"""A separate, minimal Django project run in its own process: django-oauth-toolkit's OpenID Connect provider.

The district sign-in tests point microcred's allauth at it as a real identity provider would be (discovery,
authorization code with PKCE, a signed RS256 ID token, the token and userinfo endpoints), with its own login form
for the browser to fill in. Nothing here is imported by microcred or by the test process itself."""
