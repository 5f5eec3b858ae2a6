"""aiusage: usage and cost of AI services in one terminal report."""

__version__ = "0.1.0"
