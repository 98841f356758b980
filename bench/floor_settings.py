"""The site's own settings with one more URL: /bench/floor/, the floor the pages are measured against."""

from microcred.settings import *  # noqa: F403 - the same settings and middleware as the site, one URLconf changed

ROOT_URLCONF = "bench.floor_urls"
