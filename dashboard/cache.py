"""The result cache: Flask-Caching, in-process by default, Redis when KPI_CACHE_URL is set."""
from __future__ import annotations

from flask import Flask
from flask_caching import Cache

from .settings import Settings


def make_cache(server: Flask, settings: Settings) -> Cache:
    """A cache bound to the Flask server; keys carry the data version (see service.KpiService)."""
    if settings.cache_url.startswith(("redis://", "rediss://", "unix://")):
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": settings.cache_url,
                  "CACHE_KEY_PREFIX": "kpi-dashboard:"}
    elif settings.cache_url in ("", "simple"):
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}
    elif settings.cache_url == "null":
        config = {"CACHE_TYPE": "NullCache"}
    else:
        raise SystemExit(f"KPI_CACHE_URL={settings.cache_url!r}: use redis://host:port/db, 'simple' or 'null'")
    config["CACHE_DEFAULT_TIMEOUT"] = settings.cache_timeout
    return Cache(server, config=config)
