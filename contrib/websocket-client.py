#!/usr/bin/python3
"""A WebSocket client of the chainbot agent's live feed, built on Debian's python3-websockets (a client
chainbot did not write): the tests drive the agent's /ws with it, and it tails the feed by hand.

  websocket-client.py URL [--events N] [--send JSON] [--header NAME:VALUE]... [--subprotocol P]...
                          [--stamp] [--wait-close] [--read-delay SECONDS]

Prints each message it receives on a line of its own (prefixed with the receive time in microseconds since
the epoch with --stamp); after N event messages it closes normally (1000). Then it prints
`closed CODE REASON` (the code the server's close frame carried) and `subprotocol P` when one was chosen.
A refused handshake prints `refused STATUS` and exits 3. --wait-close reads until the server closes.
"""
import argparse
import asyncio
import sys
import time

import websockets


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--events", type=int, default=None)
    parser.add_argument("--send", action="append", default=[])
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--subprotocol", action="append", default=[])
    parser.add_argument("--stamp", action="store_true")
    parser.add_argument("--wait-close", action="store_true")
    parser.add_argument("--read-delay", type=float, default=0)
    return parser.parse_args()


async def main(options):
    headers = [tuple(header.split(":", 1)) for header in options.header]
    try:
        connection = await websockets.connect(
            options.url, extra_headers=headers, subprotocols=options.subprotocol or None,
            open_timeout=30, ping_interval=None, max_size=2**20)
    except websockets.exceptions.InvalidStatusCode as refusal:
        print("refused", refusal.status_code, flush=True)
        return 3
    if connection.subprotocol:
        print("subprotocol", connection.subprotocol, flush=True)
    events = 0
    sent = False
    try:
        while options.events is None or events < options.events:
            message = await asyncio.wait_for(connection.recv(), timeout=60)
            stamp = "%d " % (time.time_ns() // 1000) if options.stamp else ""
            print(stamp + message, flush=True)
            if '"type":"event"' in message:
                events += 1
            if not sent:
                sent = True
                for text in options.send:
                    await connection.send(text)
            if options.read_delay:
                await asyncio.sleep(options.read_delay)
        if not options.wait_close:
            await connection.close(1000, "done")
    except websockets.exceptions.ConnectionClosed:
        pass
    await connection.wait_closed()
    print("closed", connection.close_code, connection.close_reason, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
