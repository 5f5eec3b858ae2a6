"""Anthropic Admin API: the analytics and legacy usage/cost reports, and key checks."""
