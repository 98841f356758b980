"""District sign-in: an organisation's identity provider (OpenID Connect, SAML 2.0, Google or Microsoft), the email
domains that lead to it, and the one rule for joining a provider's sign-in to an existing account."""
