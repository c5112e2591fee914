"""A parse worker: `python -m crawler.parseworker FD`, started by crawler.parsepool.ParsePool.

Reads jobs from the socket FD (frames: 4-byte length, pickle), runs the parser, writes back
(job, ok, Article or error text). Exits when the crawl closes its end of the socket.
"""

from __future__ import annotations

import pickle
import socket
import sys
import traceback

from crawler.parsepool import HEADER, run_parser


def _read(stream: object, size: int) -> bytes | None:
    data = stream.read(size)  # type: ignore[attr-defined]
    return data if data is not None and len(data) == size else None


def serve(fd: int) -> int:
    sock = socket.socket(fileno=fd)
    stream = sock.makefile("rwb")
    while True:
        header = _read(stream, HEADER.size)
        if header is None:
            return 0  # the crawl closed the socket (or is gone)
        data = _read(stream, HEADER.unpack(header)[0])
        if data is None:
            return 0
        job, spec, method, extra, body, content_type, url = pickle.loads(data)
        try:
            reply = (job, True, run_parser(spec, method, extra, body, content_type, url))
        except Exception as exc:  # the parser's failure goes back as text: exceptions may not pickle
            reply = (job, False, f"{exc!r}\n{traceback.format_exc()}")
        out = pickle.dumps(reply, protocol=5)
        stream.write(HEADER.pack(len(out)))
        stream.write(out)
        stream.flush()


if __name__ == "__main__":
    raise SystemExit(serve(int(sys.argv[1])))
