"""gunicorn integration: the errors gunicorn answers itself are JSON, in the app's error shape.

gunicorn rejects some requests before the app sees them (a request line over 4,094 bytes, a header over
8,190, a malformed request line) and writes an HTML page for them. Clients of a JSON API should never
have to parse HTML, so its writer is replaced by one that writes {code, status, message}.
"""

from __future__ import annotations

import json
from typing import Any

from gunicorn import util


def write_json_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    body = json.dumps({"code": status_int, "status": reason, "message": mesg or reason}).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


def use_json_protocol_errors() -> None:
    """Call from gunicorn.conf.py: the master patches gunicorn.util before forking its workers."""
    util.write_error = write_json_error
