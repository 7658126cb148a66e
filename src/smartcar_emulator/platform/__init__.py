"""The platform's rules and state. Nothing here knows about HTTP."""
