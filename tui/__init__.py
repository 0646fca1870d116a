"""gwa-wizard: learn the API Services Portal by doing it."""

__version__ = "0.1.0"
