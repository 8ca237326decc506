"""The package's own version (the tool), which is not the standard's version."""

__version__ = "0.3.0"
