"""The keys that verify bearer tokens: the shared HS256 secret, and the host's own public keys.

A host that signs its widgets' tokens with its own private key (RS256 or ES256) gives us only the public
half, as one PEM (``ENGAGEMENT_JWT_PUBLIC_KEY``) or a JWKS file (``ENGAGEMENT_JWT_JWKS_FILE``, chosen by
``kid``), so no signing secret is ever shared. Each key verifies exactly one algorithm, chosen by the key's
type and never by the token: an HS256 token "signed" with the public key as its secret finds no key.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

logger = logging.getLogger(__name__)

ASYMMETRIC_ALGORITHMS = ("RS256", "ES256")
ACCEPTED_ALGORITHMS = ("HS256", *ASYMMETRIC_ALGORITHMS)
MIN_RSA_BITS = 2048

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


class KeyNotFound(Exception):
    """No configured key verifies this token's header; the message says why, for the 401."""


def algorithm_for(key: Any) -> str:
    """RS256 for an RSA key of 2048+ bits, ES256 for a P-256 key; any other key is refused."""
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise ValueError(f"an RSA key must have at least {MIN_RSA_BITS} bits, this one has {key.key_size}")
        return "RS256"
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise ValueError(f"an EC key must be on P-256 (ES256), this one is on {key.curve.name}")
        return "ES256"
    raise ValueError(f"a {type(key).__name__} is neither an RSA nor a P-256 public key")


@dataclass(frozen=True)
class VerificationKeys:
    """Every key this deployment accepts, by algorithm and kid."""

    secret: str | None = None
    public_key: PublicKey | None = None
    public_key_algorithm: str | None = None
    jwks: dict[str, tuple[str, PublicKey]] = field(default_factory=dict)

    def key_for(self, header: dict[str, Any]) -> tuple[Any, str]:
        """The key and the one algorithm that may verify a token with this (unverified) header."""
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in ACCEPTED_ALGORITHMS:
            raise KeyNotFound(f"its algorithm {algorithm!r} is not accepted")
        if algorithm == "HS256":
            if not self.secret:
                raise KeyNotFound("HS256 tokens are not accepted here")
            return self.secret, algorithm
        if kid is not None and self.jwks:
            if not isinstance(kid, str) or kid not in self.jwks:
                raise KeyNotFound("its kid names no known key")
            key_algorithm, key = self.jwks[kid]
            if key_algorithm != algorithm:
                raise KeyNotFound(f"key {kid!r} verifies {key_algorithm}, not {algorithm}")
            return key, algorithm
        if self.public_key is not None and self.public_key_algorithm == algorithm:
            return self.public_key, algorithm
        if self.jwks and kid is None:
            raise KeyNotFound("it has no kid to choose a key of the JWKS")
        raise KeyNotFound(f"no configured key verifies {algorithm}")


def read_public_key(value: str) -> PublicKey:
    """A PEM public key, given inline (``\\n`` escapes allowed, for one-line variables) or as a file path."""
    text = value.strip().replace("\\n", "\n")
    if not text.startswith("-----BEGIN"):
        text = Path(text).read_text()
    if "PRIVATE KEY" in text:
        raise ValueError("this is a private key: configure the public half only (openssl pkey -pubout)")
    key = load_pem_public_key(text.encode())
    algorithm_for(key)
    return key  # type: ignore[return-value]


def read_jwks(path: str) -> dict[str, tuple[str, PublicKey]]:
    """kid -> (algorithm, key) for the signing keys of a JWKS file; an unusable key is refused, not skipped."""
    document = json.loads(Path(path).read_text())
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list) or not keys:
        raise ValueError("a JWKS is an object with a non-empty 'keys' list")
    found: dict[str, tuple[str, PublicKey]] = {}
    for entry in keys:
        if not isinstance(entry, dict):
            raise ValueError("each JWKS key must be an object")
        if entry.get("use", "sig") != "sig":
            continue  # an encryption key is not ours to use
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid:
            raise ValueError("each JWKS key needs a kid")
        if kid in found:
            raise ValueError(f"kid {kid!r} appears twice")
        if "d" in entry or "k" in entry:
            raise ValueError(f"key {kid!r} holds private or symmetric material: publish public keys only")
        try:
            jwk = jwt.PyJWK(entry)
        except jwt.PyJWTError as error:
            raise ValueError(f"key {kid!r}: {error}") from None
        algorithm = algorithm_for(jwk.key)
        if jwk.algorithm_name != algorithm:
            raise ValueError(f"key {kid!r}: alg {jwk.algorithm_name} is not accepted (RS256 or ES256 only)")
        found[kid] = (algorithm, jwk.key)
    if not found:
        raise ValueError("the JWKS has no signing key")
    return found


def load_verification_keys(config: dict[str, Any]) -> VerificationKeys:
    """Build the keys from JWT_SECRET, JWT_PUBLIC_KEY and JWT_JWKS_FILE; raise RuntimeError naming the setting."""
    public_key = None
    jwks: dict[str, tuple[str, PublicKey]] = {}
    if config.get("JWT_PUBLIC_KEY"):
        try:
            public_key = read_public_key(config["JWT_PUBLIC_KEY"])
        except (OSError, ValueError, TypeError, UnsupportedAlgorithm) as error:
            raise RuntimeError(f"ENGAGEMENT_JWT_PUBLIC_KEY: {error}") from None
    if config.get("JWT_JWKS_FILE"):
        try:
            jwks = read_jwks(config["JWT_JWKS_FILE"])
        except (OSError, ValueError) as error:
            raise RuntimeError(f"ENGAGEMENT_JWT_JWKS_FILE: {error}") from None
    return VerificationKeys(
        secret=config.get("JWT_SECRET") or None,
        public_key=public_key,
        public_key_algorithm=algorithm_for(public_key) if public_key is not None else None,
        jwks=jwks,
    )
