"""fHUD: a local thought crystallizer."""

__version__ = "0.1.0"
