"""A TCP proxy that adds WAN delay: each byte arrives ``rtt/2`` after it was sent, in each direction, and a new
connection's first bytes wait one more round trip (the TCP handshake a real link would cost). TLS passes through
untouched, so its handshake pays the delay too. Bandwidth is not limited.

Used by bench_wan.py where kernel netem is unavailable (it is, in this sandbox: no sch_netem module).
Run alone: ``python bench/wan_proxy.py --listen 127.0.0.1:9443 --target 127.0.0.1:8443 --rtt-ms 20``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib


async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float, first_extra: float) -> None:
    """Copy ``reader`` to ``writer``, each chunk delivered ``delay`` seconds after it was read (order kept)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            due, data = await queue.get()
            if not data:
                break
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        with contextlib.suppress(OSError):
            if writer.can_write_eof():
                writer.write_eof()

    sender = asyncio.ensure_future(deliver())
    extra = first_extra
    try:
        while True:
            data = await reader.read(65536)
            queue.put_nowait((loop.time() + delay + extra, data))
            extra = 0.0
            if not data:
                break
        await sender
    except (ConnectionError, OSError):
        sender.cancel()


async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter, target: tuple[str, int],
                 one_way: float) -> None:
    try:
        server_reader, server_writer = await asyncio.open_connection(*target)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pump(client_reader, server_writer, one_way, 2 * one_way),  # + the handshake round trip
                         pump(server_reader, client_writer, one_way, 0.0), return_exceptions=True)
    for writer in (client_writer, server_writer):
        with contextlib.suppress(OSError):
            writer.close()


async def serve(listen: tuple[str, int], target: tuple[str, int], rtt_ms: float) -> None:
    one_way = rtt_ms / 2000.0
    server = await asyncio.start_server(lambda r, w: handle(r, w, target, one_way), *listen, backlog=1024)
    async with server:
        await server.serve_forever()


def address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host, int(port)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", type=address, required=True)
    parser.add_argument("--target", type=address, required=True)
    parser.add_argument("--rtt-ms", type=float, default=20.0)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.listen, args.target, args.rtt_ms))


if __name__ == "__main__":
    main()
