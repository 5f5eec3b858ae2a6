"""OpenAI organization Usage and Costs APIs."""
