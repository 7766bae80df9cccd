"""C2PA Content Credentials for Riff clips: local signing keys, signing an MP4, reading a manifest back.

Every published clip carries a signed manifest saying it was made by Riff with a trained model (IPTC digital
source type ``trainedAlgorithmicMedia``), with the Riff-specific facts (job, post, cameos used and the consent
grants that allowed them, by id only) in an ``org.riff.generation`` assertion. A remix also lists its parent
clip (the parent's signed MP4) as a ``parentOf`` ingredient, so a chain of remixes is a chain of manifests; a
stitch lists each of its source clips as a ``componentOf`` ingredient, in order.

A self-hosted instance signs with a certificate from its own local root CA (``create_local_ca``); a C2PA
validator reports such a manifest as *valid* (intact and correctly signed) and, given the CA as a trust anchor,
*trusted*. An operator can replace the files with a certificate from a public C2PA trust list.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

MIME_MP4 = "video/mp4"
TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
RIFF_ASSERTION = "org.riff.generation"
CA_FILE, CA_KEY_FILE, CHAIN_FILE, KEY_FILE = "ca.pem", "ca-key.pem", "signing-chain.pem", "signing-key.pem"
CA_YEARS, LEAF_YEARS = 10, 2


# --- Keys ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SigningKeys:
    """Where the signing material lives: the leaf + CA chain and its key (to sign), the CA (to trust)."""

    cert_chain: Path
    private_key: Path
    trust_anchor: Path
    ca_key: Path | None = None

    def exist(self) -> bool:
        return self.cert_chain.is_file() and self.private_key.is_file() and self.trust_anchor.is_file()


def local_keys(
    directory: str | os.PathLike[str],
    *,
    cert_chain: str | os.PathLike[str] | None = None,
    private_key: str | os.PathLike[str] | None = None,
    trust_anchor: str | os.PathLike[str] | None = None,
) -> SigningKeys:
    """The standard file names under ``directory``, unless given explicitly."""
    directory = Path(directory)
    return SigningKeys(
        cert_chain=Path(cert_chain or directory / CHAIN_FILE),
        private_key=Path(private_key or directory / KEY_FILE),
        trust_anchor=Path(trust_anchor or directory / CA_FILE),
        ca_key=directory / CA_KEY_FILE,
    )


def create_local_ca(
    directory: str | os.PathLike[str],
    *,
    organization: str = "Riff (self-hosted)",
    keys: SigningKeys | None = None,
) -> SigningKeys:
    """Make a root CA and a signing certificate it issues; write them as PEM files (keys readable by owner only).

    C2PA refuses a self-signed signing certificate, hence the two levels: the root (CA, may sign certificates)
    and the leaf (not a CA, digital signature, e-mail protection usage, key identifiers linking it to the root).
    """
    keys = keys or local_keys(directory)
    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _ca_certificate(ca_key, organization, now)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf_cert = _leaf_certificate(leaf_key, ca_key, ca_cert, organization, now)
    pem = serialization.Encoding.PEM
    _write(keys.trust_anchor, ca_cert.public_bytes(pem), private=False)
    _write(keys.cert_chain, leaf_cert.public_bytes(pem) + ca_cert.public_bytes(pem), private=False)
    _write(keys.private_key, _private_pem(leaf_key), private=True)
    if keys.ca_key is not None:
        _write(keys.ca_key, _private_pem(ca_key), private=True)
    return keys


def ensure_local_keys(
    directory: str | os.PathLike[str],
    *,
    force: bool = False,
    keys: SigningKeys | None = None,
) -> tuple[SigningKeys, bool]:
    """Create the local CA and signing certificate unless they are already there; returns (keys, created)."""
    keys = keys or local_keys(directory)
    if keys.exist() and not force:
        return keys, False
    return create_local_ca(directory, keys=keys), True


def _name(organization: str, common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _ca_certificate(key: ec.EllipticCurvePrivateKey, organization: str, now: dt.datetime) -> x509.Certificate:
    name = _name(organization, f"{organization} root CA")
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _leaf_certificate(
    key: ec.EllipticCurvePrivateKey,
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    organization: str,
    now: dt.datetime,
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(_name(organization, f"{organization} content signing"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=365 * LEAF_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign, crl_sign=cert_sign,
        encipher_only=False, decipher_only=False,
    )


def _private_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write(path: Path, data: bytes, *, private: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


# --- Signing ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClipManifest:
    """What a clip's manifest says. Ids only: no names, no faces, no prompt unless the caller makes it public."""

    generator_version: str
    title: str
    job_id: int | None = None
    post_id: int | None = None
    prompt: str | None = None  # only when the author made it public
    cameo_ids: tuple[int, ...] = ()
    consent_grant_ids: tuple[int, ...] = ()
    parent_path: str | os.PathLike[str] | None = None  # the parent clip's signed MP4, for a remix
    parent_title: str | None = None
    # A stitch's source clips (their signed MP4s, with titles), each a ``componentOf`` ingredient, in order.
    components: tuple[tuple[str | os.PathLike[str], str], ...] = ()

    def definition(self) -> dict[str, Any]:
        """The manifest definition handed to the C2PA builder."""
        return {
            "claim_generator_info": [{"name": "Riff", "version": self.generator_version}],
            "title": self.title,
            "format": MIME_MP4,
            "assertions": [
                {"label": "c2pa.actions.v2", "data": {"actions": self._actions()}},
                {"label": RIFF_ASSERTION, "data": self._riff_assertion()},
            ],
        }

    def _actions(self) -> list[dict[str, Any]]:
        """``c2pa.created`` for a new clip, ``c2pa.edited`` for a remix (the SDK puts ``c2pa.opened`` first)."""
        made: dict[str, Any] = {
            "action": "c2pa.edited" if self.parent_path else "c2pa.created",
            "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
            "softwareAgent": {"name": "Riff", "version": self.generator_version},
        }
        if self.prompt:
            made["parameters"] = {"description": self.prompt}
        return [made]

    def _riff_assertion(self) -> dict[str, Any]:
        # Lists of small integers would be stored as CBOR byte strings, so each id is an object.
        return {
            "job_id": self.job_id,
            "post_id": self.post_id,
            "cameos": [{"id": cameo} for cameo in self.cameo_ids],
            "consent_grants": [{"id": grant} for grant in self.consent_grant_ids],
        }


def sign_mp4(
    src_path: str | os.PathLike[str],
    dst_path: str | os.PathLike[str],
    *,
    manifest: ClipManifest,
    cert_chain_path: str | os.PathLike[str],
    key_path: str | os.PathLike[str],
) -> None:
    """Write ``dst_path``: the MP4 at ``src_path`` with a signed C2PA manifest embedded (ES256).

    Raises ``c2pa.C2paError`` (nothing is left at ``dst_path``) when the keys or the manifest are refused.
    """
    builder = c2pa.Builder(manifest.definition())
    try:
        if manifest.parent_path:
            _add_parent(builder, Path(manifest.parent_path), manifest.parent_title)
        for path, title in manifest.components:
            with open(path, "rb") as stream:
                builder.add_ingredient({"title": title, "relationship": "componentOf", "format": MIME_MP4},
                                       MIME_MP4, stream)
        with (
            _signer(Path(cert_chain_path), Path(key_path)) as signer,
            open(src_path, "rb") as source,
            open(dst_path, "w+b") as dest,
        ):
            builder.sign(signer, MIME_MP4, source, dest)
    except BaseException:
        Path(dst_path).unlink(missing_ok=True)
        raise
    finally:
        builder.close()


def _add_parent(builder: c2pa.Builder, parent: Path, title: str | None) -> None:
    ingredient = {"title": title or parent.name, "relationship": "parentOf", "format": MIME_MP4}
    with open(parent, "rb") as stream:
        builder.add_ingredient(ingredient, MIME_MP4, stream)
    # An edit of the parent: the SDK records it as opened (linked to the ingredient) before our actions.
    builder.set_intent(c2pa.C2paBuilderIntent.EDIT)


@contextmanager
def _signer(chain: Path, key: Path) -> Iterator[c2pa.Signer]:
    """An ES256 signer from PEM files (leaf certificate first, then the CA), closed after use."""
    info = c2pa.C2paSignerInfo(alg=b"es256", sign_cert=chain.read_bytes(), private_key=key.read_bytes(), ta_url=None)
    signer = c2pa.Signer.from_info(info)
    try:
        yield signer
    finally:
        signer.close()


# --- Reading ------------------------------------------------------------------------------------------------


def read_manifest(path: str | os.PathLike[str], *, trust_anchor_pem: str | bytes | None = None) -> dict[str, Any]:
    """Summarise the active C2PA manifest of a file.

    ``state`` is ``"trusted"`` (intact, signed by a certificate chaining to ``trust_anchor_pem``), ``"valid"``
    (intact and correctly signed, signer not among the trust anchors), ``"invalid"`` (changed after signing, a
    broken signature, or a file the reader cannot parse: see ``validation_errors``) or ``"none"`` (no manifest).
    ``riff`` is the ``org.riff.generation`` assertion with plain id lists; each ingredient carries its own.
    """
    try:
        with open(path, "rb") as stream:
            store, validation_state = _read_store(stream, trust_anchor_pem)
    except c2pa.C2paError.ManifestNotFound:
        return _summary(None, "none", [])
    except c2pa.C2paError as exc:
        return _summary(None, "invalid", [{"code": "asset.unreadable", "explanation": str(exc)}])
    manifests = store.get("manifests", {})
    active = manifests.get(store.get("active_manifest"), {})
    errors = _validation_errors(store)
    if errors or validation_state == "invalid":
        state = "invalid"
    else:
        state = "trusted" if validation_state == "trusted" else "valid"
    return _summary(active, state, errors, manifests)


def _read_store(stream: io.BufferedReader, trust_anchor_pem: str | bytes | None) -> tuple[dict[str, Any], str]:
    context = None
    if trust_anchor_pem:
        anchors = trust_anchor_pem.decode() if isinstance(trust_anchor_pem, bytes) else trust_anchor_pem
        context = c2pa.Context.from_dict({"verify": {"verify_trust": True}, "trust": {"trust_anchors": anchors}})
    reader = c2pa.Reader(MIME_MP4, stream, context=context)
    try:
        return json.loads(reader.json()), (reader.get_validation_state() or "").lower()
    finally:
        reader.close()
        if context is not None:
            context.close()


def _validation_errors(store: dict[str, Any]) -> list[dict[str, str]]:
    """Failures of the active manifest (an untrusted signer is not one: that is the "valid" state)."""
    results = store.get("validation_results")
    failures = (results.get("activeManifest") or {}).get("failure", []) if results else store.get(
        "validation_status", [])
    return [
        {"code": item.get("code", ""), "explanation": item.get("explanation", "")}
        for item in failures
        if item.get("code") != "signingCredential.untrusted"
    ]


def _summary(
    manifest: dict[str, Any] | None,
    state: str,
    errors: list[dict[str, str]],
    manifests: dict[str, Any] | None = None,
) -> dict[str, Any]:
    manifest = manifest or {}
    assertions = _assertions(manifest)
    actions = (assertions.get("c2pa.actions.v2") or assertions.get("c2pa.actions") or {}).get("actions", [])
    return {
        "state": state,
        "generator": _generator(manifest),
        "title": manifest.get("title"),
        "actions": [_action(action) for action in actions],
        "ingredients": [_ingredient(item, manifests or {}) for item in manifest.get("ingredients", [])],
        "riff": _riff(assertions.get(RIFF_ASSERTION)),
        "signer": (manifest.get("signature_info") or {}).get("common_name"),
        "validation_errors": errors,
    }


def _assertions(manifest: dict[str, Any]) -> dict[str, Any]:
    return {item.get("label"): item.get("data") for item in manifest.get("assertions", [])}


def _generator(manifest: dict[str, Any]) -> str | None:
    for item in manifest.get("claim_generator_info") or []:
        if item.get("name"):
            return f"{item['name']}/{item['version']}" if item.get("version") else item["name"]
    return manifest.get("claim_generator")


def _action(action: dict[str, Any]) -> dict[str, Any]:
    summary = {key: action[key] for key in ("action", "digitalSourceType", "softwareAgent") if key in action}
    description = (action.get("parameters") or {}).get("description")
    if description:
        summary["description"] = description
    return summary


def _ingredient(item: dict[str, Any], manifests: dict[str, Any]) -> dict[str, Any]:
    parent = manifests.get(item.get("active_manifest"), {})
    return {
        "title": item.get("title"),
        "relationship": item.get("relationship"),
        "format": item.get("format"),
        "generator": _generator(parent) if parent else None,
        "riff": _riff(_assertions(parent).get(RIFF_ASSERTION)) if parent else None,
    }


def _riff(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if not isinstance(data, dict):
        return None
    return {
        "job_id": data.get("job_id"),
        "post_id": data.get("post_id"),
        "cameos": _ids(data.get("cameos")),
        "consent_grants": _ids(data.get("consent_grants")),
    }


def _ids(items: Any) -> list[int]:
    return [item["id"] for item in items if isinstance(item, dict) and "id" in item] if isinstance(items, list) else []
