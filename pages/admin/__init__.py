"""The admin site, one module per app's models; Django's autodiscovery imports this package."""

from pages.admin import accounts, awards, catalog, core, notifications, reviews, sso

__all__ = ["accounts", "awards", "catalog", "core", "notifications", "reviews", "sso"]
