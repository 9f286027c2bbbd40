"""cvsite: a static site generator for researcher CV sites."""

__version__ = "0.1.0"
