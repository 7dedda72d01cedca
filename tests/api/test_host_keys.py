"""Tokens the host signs with its own private key (RS256/ES256), verified with its public key or JWKS."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy import select

from engagement import create_app
from engagement.auth import issue_token
from tests.conftest import TEST_SECRET


def _pem(public_key) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _jwk(public_key, kid: str) -> dict:
    algorithm = jwt.algorithms.RSAAlgorithm if isinstance(public_key, rsa.RSAPublicKey) else jwt.algorithms.ECAlgorithm
    return {**algorithm.to_jwk(public_key, as_dict=True), "kid": kid, "use": "sig"}


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """Two host keys (RSA and P-256), a stranger's RSA key, and the files that publish the host's."""
    folder = tmp_path_factory.mktemp("keys")
    host_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    host_ec = ec.generate_private_key(ec.SECP256R1())
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (folder / "host-rsa.pub.pem").write_text(_pem(host_rsa.public_key()))
    (folder / "jwks.json").write_text(
        json.dumps({"keys": [_jwk(host_rsa.public_key(), "rsa-2026"), _jwk(host_ec.public_key(), "ec-2026")]})
    )
    private_pem = host_rsa.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (folder / "host-rsa.pem").write_bytes(private_pem)
    return {
        "rsa": host_rsa,
        "ec": host_ec,
        "stranger": stranger,
        "rsa_pem_file": str(folder / "host-rsa.pub.pem"),
        "rsa_private_file": str(folder / "host-rsa.pem"),
        "jwks_file": str(folder / "jwks.json"),
        "folder": folder,
    }


def sign(key, algorithm: str, sub: str = "reader-1", kid: str | None = None, **claims) -> str:
    now = datetime.now(timezone.utc)
    payload = {"sub": sub, "name": "A Reader", "role": "user", "iat": now, "exp": now + timedelta(minutes=15), **claims}
    return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": kid} if kid else None)


def forge_hs256(secret: bytes, sub: str = "reader-1", kid: str | None = None) -> str:
    """An HS256 token whose HMAC key is ``secret``: PyJWT refuses to sign with a PEM, an attacker does not."""

    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    header = {"alg": "HS256", "typ": "JWT", **({"kid": kid} if kid else {})}
    exp = int((datetime.now(timezone.utc) + timedelta(minutes=15)).timestamp())
    signing_input = b64(json.dumps(header).encode()) + b"." + b64(json.dumps({"sub": sub, "role": "admin", "exp": exp}).encode())
    return (signing_input + b"." + b64(hmac.new(secret, signing_input, hashlib.sha256).digest())).decode()


def post_comment(client, article_id: str, token: str):
    return client.post(
        f"/api/v1/articles/{article_id}/comments",
        json={"body": "Signed by the host."},
        headers={"Authorization": f"Bearer {token}"},
    )


def create_article(client, admin_token: str, article_id: str = "a-1") -> str:
    response = client.put(
        f"/api/v1/articles/{article_id}",
        json={"title": "T", "url": f"https://news.example/{article_id}", "author_id": "x"},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert response.status_code == 201, response.get_json()
    return article_id


def user_row(app, user_id: str):
    from engagement.extensions import db
    from engagement.models import User

    with app.app_context():
        return db.session.scalar(select(User).where(User.id == user_id))


def assert_refused(app, response, sub: str = "reader-1", says: str = "The token is invalid") -> None:
    assert response.status_code == 401
    assert response.content_type == "application/json"
    assert response.get_json()["code"] == 401
    assert says in response.get_json()["message"]
    assert user_row(app, sub) is None


@pytest.fixture
def app_config(request, keys):
    """The host's RSA public key file; a test's parameters override it ("__jwks__" names the JWKS file)."""
    config = {"JWT_PUBLIC_KEY": keys["rsa_pem_file"], **getattr(request, "param", {})}
    return {name: keys["jwks_file"] if value == "__jwks__" else value for name, value in config.items()}


def test_rs256_token_verified_with_the_public_key_file(app, client, keys, make_article):
    article_id = make_article()["id"]
    response = post_comment(client, article_id, sign(keys["rsa"], "RS256"))
    assert response.status_code == 201, response.get_json()
    row = user_row(app, "reader-1")
    assert row is not None and row.name == "A Reader"
    # The shared secret keeps working next to the host's key.
    assert post_comment(client, article_id, issue_token(TEST_SECRET, "hs-reader")).status_code == 201


def test_a_token_signed_by_another_key_is_refused(app, client, keys, make_article):
    article_id = make_article()["id"]
    assert_refused(app, post_comment(client, article_id, sign(keys["stranger"], "RS256")), says="Signature verification failed")
    # A kid in the header changes nothing when the key is a single PEM.
    assert_refused(app, post_comment(client, article_id, sign(keys["stranger"], "RS256", kid="rsa-2026")))


def test_hs256_signed_with_the_public_key_as_secret_is_refused(app, client, keys, make_article):
    """The classic confusion: a verifier that let the token pick the algorithm would HMAC with the PEM."""
    article_id = make_article()["id"]
    pem = _pem(keys["rsa"].public_key()).encode()
    for forged in (forge_hs256(pem), forge_hs256(pem.strip()), forge_hs256(pem, kid="rsa-2026")):
        assert_refused(app, post_comment(client, article_id, forged))


def test_unsupported_algorithms_are_refused(app, client, keys, make_article):
    article_id = make_article()["id"]
    p384 = ec.generate_private_key(ec.SECP384R1())
    tokens = {
        "none": sign(None, "none"),
        "HS384": sign(TEST_SECRET, "HS384"),
        "HS512": sign(TEST_SECRET * 2, "HS512"),
        "PS256": sign(keys["rsa"], "PS256"),
        "RS512": sign(keys["rsa"], "RS512"),
        "ES384": sign(p384, "ES384"),
    }
    for algorithm, token in tokens.items():
        response = post_comment(client, article_id, token)
        assert_refused(app, response, says=f"its algorithm '{algorithm}' is not accepted")
    # ES256 is accepted in general, but no EC key is configured here.
    assert_refused(app, post_comment(client, article_id, sign(keys["ec"], "ES256")), says="no configured key verifies ES256")


@pytest.mark.parametrize("app_config", [{"JWT_PUBLIC_KEY": ""}], indirect=True)
def test_without_a_host_key_rs256_is_refused(app, client, keys, make_article):
    assert_refused(app, post_comment(client, make_article()["id"], sign(keys["rsa"], "RS256")))


@pytest.mark.parametrize("app_config", [{"JWT_PUBLIC_KEY": "", "JWT_JWKS_FILE": "__jwks__"}], indirect=True)
def test_jwks_keys_are_chosen_by_kid(app, client, keys, make_article):
    article_id = make_article()["id"]
    assert post_comment(client, article_id, sign(keys["rsa"], "RS256", sub="r-reader", kid="rsa-2026")).status_code == 201
    assert post_comment(client, article_id, sign(keys["ec"], "ES256", sub="e-reader", kid="ec-2026")).status_code == 201
    assert user_row(app, "r-reader") is not None and user_row(app, "e-reader") is not None
    assert_refused(app, post_comment(client, article_id, sign(keys["rsa"], "RS256", kid="rsa-2025")), says="its kid names no known key")
    assert_refused(app, post_comment(client, article_id, sign(keys["rsa"], "RS256")), says="it has no kid")
    # The RSA key under the EC key's kid: the kid's key verifies ES256 only.
    assert_refused(app, post_comment(client, article_id, sign(keys["rsa"], "RS256", kid="ec-2026")), says="verifies ES256")
    assert_refused(app, post_comment(client, article_id, sign(keys["stranger"], "RS256", kid="rsa-2026")))
    assert_refused(app, post_comment(client, article_id, forge_hs256(json.dumps(_jwk(keys["rsa"].public_key(), "x")).encode(), kid="rsa-2026")))


@pytest.mark.parametrize("app_config", [{"JWT_ISSUER": "https://news.example", "JWT_AUDIENCE": "engagement"}], indirect=True)
def test_issuer_and_audience_when_configured(app, client, keys):
    article_id = create_article(client, sign(keys["rsa"], "RS256", sub="root", role="admin", iss="https://news.example", aud="engagement"))
    good = sign(keys["rsa"], "RS256", sub="aud-reader", iss="https://news.example", aud="engagement")
    assert post_comment(client, article_id, good).status_code == 201
    for sub, claims in {
        "no-iss": {"aud": "engagement"},
        "no-aud": {"iss": "https://news.example"},
        "bad-iss": {"iss": "https://evil.example", "aud": "engagement"},
        "bad-aud": {"iss": "https://news.example", "aud": "another-service"},
    }.items():
        assert_refused(app, post_comment(client, article_id, sign(keys["rsa"], "RS256", sub=sub, **claims)), sub=sub)
    assert_refused(app, post_comment(client, article_id, issue_token(TEST_SECRET, "hs-reader")), sub="hs-reader")
    with_claims = issue_token(TEST_SECRET, "hs-reader", issuer="https://news.example", audience="engagement")
    assert post_comment(client, article_id, with_claims).status_code == 201


@pytest.mark.parametrize("app_config", [{"ENV": "production", "JWT_SECRET": ""}], indirect=True)
def test_production_without_a_secret_accepts_only_the_host_key(app, client, keys):
    create_article(client, sign(keys["rsa"], "RS256", sub="root", role="admin"))
    assert post_comment(client, "a-1", sign(keys["rsa"], "RS256")).status_code == 201
    # No secret: an HS256 token is refused whatever it was signed with, even an empty key.
    assert_refused(app, post_comment(client, "a-1", forge_hs256(b"", sub="hs")), sub="hs", says="HS256 tokens are not accepted")


def test_cli_signs_with_the_host_private_key(app, client, keys, make_article):
    article_id = make_article()["id"]
    result = app.test_cli_runner().invoke(
        args=["token", "issue", "--sub", "cli-reader", "--private-key", keys["rsa_private_file"], "--ttl", "900"]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    assert post_comment(client, article_id, token).status_code == 201


@pytest.mark.parametrize(
    "setting, content, message",
    [
        ("JWT_PUBLIC_KEY", "private", "private key"),
        ("JWT_PUBLIC_KEY", "rsa1024", "at least 2048 bits"),
        ("JWT_PUBLIC_KEY", "p384", "P-256"),
        ("JWT_PUBLIC_KEY", "not a key", "No such file"),
        ("JWT_JWKS_FILE", {"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "s"}]}, "private or symmetric"),
        ("JWT_JWKS_FILE", {"keys": []}, "non-empty 'keys'"),
        ("JWT_JWKS_FILE", "no-kid", "needs a kid"),
        ("JWT_JWKS_FILE", "ps256", "alg PS256 is not accepted"),
    ],
)
def test_unusable_keys_stop_the_app_at_start(tmp_path, keys, setting, content, message):
    rsa_public = keys["rsa"].public_key()
    if content == "private":
        value = keys["rsa_private_file"]
    elif content == "rsa1024":
        value = _pem(rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key())
    elif content == "p384":
        value = _pem(ec.generate_private_key(ec.SECP384R1()).public_key()).replace("\n", "\\n")
    elif content == "no-kid":
        value = {"keys": [{k: v for k, v in _jwk(rsa_public, "x").items() if k != "kid"}]}
    elif content == "ps256":
        value = {"keys": [{**_jwk(rsa_public, "x"), "alg": "PS256"}]}
    else:
        value = content
    if setting == "JWT_JWKS_FILE":
        (tmp_path / "jwks.json").write_text(json.dumps(value))
        value = str(tmp_path / "jwks.json")
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/db.sqlite",
        "MODERATION_LOAD": "on_demand",
        "JWT_SECRET": TEST_SECRET,
    }
    with pytest.raises(RuntimeError, match=f"ENGAGEMENT_{setting}: .*{message}"):
        create_app({**config, setting: value})


def test_inline_pem_with_escaped_newlines_is_read(tmp_path, keys):
    inline = _pem(keys["ec"].public_key()).replace("\n", "\\n")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/db.sqlite",
            "MODERATION_LOAD": "on_demand",
            "JWT_SECRET": TEST_SECRET,
            "JWT_PUBLIC_KEY": inline,
        }
    )
    assert app.extensions["jwt_keys"].public_key_algorithm == "ES256"
