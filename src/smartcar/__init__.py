"""Smartcar Python SDK (drop-in replacement for the official SDK 6.x). Placeholder until the SDK lands."""

__version__ = "6.19.1"
