"""Webhook delivery: the background worker that sends what the platform's outbox queues (issue 15).

Sits beside ``simulator/``: it imports ``platform/`` (data) and is started by the server (``app.py``'s lifespan,
``EmulatorServer``); ``platform/`` never imports it.
"""

from __future__ import annotations

from .worker import DeliveryWorker

__all__ = ["DeliveryWorker"]
