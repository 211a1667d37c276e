"""acme-v2-wizard: get legacy servers off Let's Encrypt's retired ACMEv1 API."""

__version__ = "0.1.0"
