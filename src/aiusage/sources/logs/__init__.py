"""Readers of the logs that AI command-line tools keep on this machine."""
