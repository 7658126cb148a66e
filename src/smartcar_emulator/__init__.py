"""An offline emulator of the Smartcar platform: Connect, OAuth, the vehicle APIs and management API."""

__version__ = "0.1.0"
