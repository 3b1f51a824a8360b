"""dtlab: the case desk of ITU's Digital Transformation Lab."""

__version__ = "0.1.0"
