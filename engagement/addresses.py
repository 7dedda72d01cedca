"""The caller's network address, as the rate limiter and the access log see it.

Below ``extensions`` (whose limiter keys on it) and ``auth``: it needs only the request and the config.
"""

from __future__ import annotations

import ipaddress

from flask import current_app, request


def _trusted_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(net, strict=False) for net in current_app.config["TRUSTED_PROXIES"]]


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _is_valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_address() -> str:
    """The caller's address: X-Forwarded-For is believed only hop by hop through trusted proxies."""
    address = request.remote_addr or "unknown"
    networks = _trusted_networks()
    if not networks or not _is_trusted(address, networks):
        return address
    forwarded = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    for hop in reversed(forwarded):
        if not _is_trusted(hop, networks):
            return hop if _is_valid_ip(hop) else address
        address = hop
    return address
