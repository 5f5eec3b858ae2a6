"""Gemini usage from Google Cloud Monitoring, with Google credentials and quota limits."""
