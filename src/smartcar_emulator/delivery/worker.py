"""The delivery worker: a background thread with its own event loop that sends what the outbox queues.

It never runs on the server's event loop, so a slow or dead receiver never delays an API request. Each cycle:
queue scheduled deliveries that came due, send VERIFY challenges, then claim due deliveries (leased, so
several worker processes on one database never send the same attempt twice) and POST them concurrently,
signed with ``SC-Signature``. The worker wakes when something is queued and polls otherwise, so clock moves
(``POST /_emulator/clock/advance``) bring retries and schedules due within one poll.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import threading
import time
import uuid

import httpx2

from ..platform.core import Platform
from ..platform.webhook_outbox import Challenge, Claimed, WebhookOutbox
from ..platform.webhook_payloads import finalise, serialise, signature

logger = logging.getLogger(__name__)
USER_AGENT = "Smartcar/1.0 (smartcar-emulator)"  # the platform sends User-Agent: Smartcar/<version>


class DeliveryWorker:
    """Sends the platform's webhook deliveries; :meth:`start` and :meth:`stop` (idempotent)."""

    def __init__(self, platform: Platform, *, poll_s: float = 0.1, idle_poll_s: float = 2.0,
                 concurrency: int = 64) -> None:
        self.platform = platform
        self.outbox: WebhookOutbox = platform.outbox
        self.poll_s = poll_s
        # With no webhook registered the worker sleeps until something rings it: a 10 Hz poll of the database cost
        # the API about 5 ms of p99 under load (bench_emulator, one worker) for nothing.
        self.idle_poll_s = idle_poll_s
        self.concurrency = concurrency
        self.tick_s = 1.0
        self._tick = self.tick_s
        self._caught_up = (0.0, 0.0)  # platform and monotonic time of the last catch-up
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self.outbox.wake.append(self.wake)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> DeliveryWorker:
        if self.running:
            return self
        self._stopping.clear()
        self._ready.clear()
        self._thread = threading.Thread(target=self._main, name="smartcar-emulator-webhooks", daemon=True)
        self._thread.start()
        self._ready.wait(5)
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout=self.outbox.policy.timeout_s + 5)
        self._thread = None

    def wake(self) -> None:
        """Run a cycle now (thread-safe; a no-op when stopped)."""
        loop, event = self._loop, self._wakeup
        if loop is not None and event is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # the loop closed meanwhile
                pass

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except Exception:  # noqa: BLE001 - the thread must report, not vanish silently
            logger.exception("the webhook delivery worker stopped")

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        self._ready.set()
        limits = httpx2.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        async with httpx2.AsyncClient(timeout=self.outbox.policy.timeout_s, follow_redirects=False,
                                      limits=limits, headers={"User-Agent": USER_AGENT}) as client:
            while not self._stopping.is_set():
                self._wakeup.clear()
                try:
                    busy = await self.cycle(client)
                except Exception:  # noqa: BLE001 - e.g. the database closed under us at shutdown
                    if self._stopping.is_set():
                        break
                    logger.exception("webhook delivery cycle failed")
                    busy = False
                if not busy:
                    try:
                        idle = self.outbox.idle()
                    except Exception:  # noqa: BLE001 - the database closed under us at shutdown
                        idle = False
                    try:
                        await asyncio.wait_for(self._wakeup.wait(), self.idle_poll_s if idle else self.poll_s)
                    except asyncio.TimeoutError:
                        pass
        self._loop = None

    async def cycle(self, client: httpx2.AsyncClient) -> bool:
        """One round; True when a full batch was claimed (more may be due)."""
        self._catch_up()
        self.outbox.schedule_due()
        challenges = self.outbox.challenges()
        claimed = self.outbox.claim(self.concurrency)
        await asyncio.gather(*(self._verify(client, c) for c in challenges), *(self._send(client, c) for c in claimed))
        return len(claimed) >= self.concurrency

    def _catch_up(self) -> None:
        """Advance charging and driving subscribed vehicles (at most once a second, or when the clock jumped), so
        events that time alone causes are sent without waiting for someone to read the vehicle."""
        now, real = self.platform.clock.timestamp(), time.monotonic()
        if real - self._caught_up[1] < self._tick and now - self._caught_up[0] < 2 * self.tick_s:
            return
        self._caught_up = (now, real)
        active = self.outbox.active_subscribed()
        self._tick = max(self.tick_s, len(active) / 200)  # each is a write: at most ~200 a second, in the background
        for vehicle_id in active:
            try:
                self.platform.current_state(vehicle_id)
            except Exception:  # noqa: BLE001 - a vehicle deleted meanwhile
                logger.debug("catching up vehicle %s failed", vehicle_id, exc_info=True)

    async def _post(self, client: httpx2.AsyncClient, url: str, body: bytes,
                    amt: str) -> tuple[int | None, str | None, bytes, float]:
        started = time.perf_counter()
        headers = {"Content-Type": "application/json", "SC-Signature": signature(amt, body)}
        try:
            response = await client.post(url, content=body, headers=headers, timeout=self.outbox.policy.timeout_s)
            content = response.content
            return response.status_code, None, content, (time.perf_counter() - started) * 1000
        except httpx2.TimeoutException:
            return None, "timeout", b"", (time.perf_counter() - started) * 1000
        except httpx2.HTTPError as error:
            return None, f"{type(error).__name__}: {error}"[:300], b"", (time.perf_counter() - started) * 1000

    async def _send(self, client: httpx2.AsyncClient, claimed: Claimed) -> None:
        body = finalise(claimed.payload, str(uuid.uuid4()), self.platform.clock.timestamp())  # an id per attempt
        status, error, _, took = await self._post(client, claimed.url, body, claimed.amt)
        if error is None and status is not None and not 200 <= status < 300:
            error = f"HTTP {status}"
        self.outbox.attempted(claimed, body, status, error, took)

    async def _verify(self, client: httpx2.AsyncClient, challenge: Challenge) -> None:
        body = serialise(challenge.payload).encode("utf-8")
        status, error, content, took = await self._post(client, challenge.url, body, challenge.amt)
        ok = False
        if error is None:
            expected = signature(challenge.amt, challenge.challenge.encode("utf-8"))
            answer = _challenge_of(content)
            if status != 200:
                error = f"HTTP {status}"
            elif answer is None:
                error = "the reply is not JSON {\"challenge\": ...}"
            elif not hmac.compare_digest(answer.lower().encode("utf-8", "surrogatepass"), expected.encode("ascii")):
                error = "the challenge answer is not HMAC-SHA256(amt, challenge)"
            else:
                ok = True
        self.outbox.verified(challenge, ok, "verified" if ok else str(error), status, took, body)


def _challenge_of(content: bytes) -> str | None:
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        return None
    value = data.get("challenge") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None
