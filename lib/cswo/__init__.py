"""Chief Social Work Officer annual report suite."""

__version__ = "0.1.0"
