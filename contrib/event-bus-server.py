#!/usr/bin/python3
"""An event bus server built on Debian's python3-websockets (a server chainbot did not write), standing in
for ALEX OS's event bus: the tests point `chainbot agent --event-bus-url` at it, and it shows by hand what
an agent publishes.

  event-bus-server.py [--port N] [--path /ws/events] [--send-after N JSON]...

Listens on 127.0.0.1 (port 0: any free one) and prints `listening PORT`, then one line per message an agent
sends: `message CONNECTION TEXT` (CONNECTION counts from 1). `--send-after N JSON` sends JSON to the agent
once N messages have arrived on a connection. A connection to another path is closed with 1008.
"""
import argparse
import asyncio
import sys

import websockets


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--path", default="/ws/events")
    parser.add_argument("--send-after", nargs=2, action="append", default=[], metavar=("N", "JSON"))
    return parser.parse_args()


async def main(options):
    connections = 0

    async def handle(connection, path):
        nonlocal connections
        if path != options.path:
            await connection.close(1008, "no bus here")
            return
        connections += 1
        number = connections
        print("connected", number, flush=True)
        count = 0
        try:
            async for message in connection:
                count += 1
                print("message", number, message, flush=True)
                for after, text in options.send_after:
                    if int(after) == count:
                        await connection.send(text)
        except websockets.exceptions.ConnectionClosed:
            pass
        print("disconnected", number, flush=True)

    async with websockets.serve(handle, "127.0.0.1", options.port, max_size=2**20) as server:
        port = server.sockets[0].getsockname()[1]
        print("listening", port, flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main(parse())))
    except KeyboardInterrupt:
        pass
