"""Custom key stores: AWS CloudHSM key stores and external key stores (XKS), and the keys made in them.

Sources: the API page named on each handler, https://docs.aws.amazon.com/kms/latest/developerguide/custom-key-store-overview.html,
keystore-cloudhsm.html, keystore-external.html and xks-connect-disconnect.html. CloudHSM is another AWS service and an
external key manager is outside AWS, so both are simulated pieces a trainer adds with
``Simulator.add_cloudhsm_cluster`` and ``Simulator.add_external_key_manager``. Connecting and disconnecting take
time on the simulated clock (``choices.CLOUDHSM_CONNECT_TIME``, ``XKS_CONNECT_TIME``, ``KEY_STORE_DISCONNECT_TIME``); while a
store is not CONNECTED its keys are ``Unavailable``. The key store password and the XKS secret are secrets: never
returned, logged or saved in clear (only their SHA-256, to check a later Update or Connect).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .. import choices
from .._errors import (
    CloudHsmClusterInUseException,
    CloudHsmClusterInvalidConfigurationException,
    CloudHsmClusterNotActiveException,
    CloudHsmClusterNotFoundException,
    CloudHsmClusterNotRelatedException,
    CustomKeyStoreHasCMKsException,
    CustomKeyStoreInvalidStateException,
    CustomKeyStoreNameInUseException,
    CustomKeyStoreNotFoundException,
    IncorrectTrustAnchorException,
    LimitExceededException,
    UnsupportedOperationException,
    ValidationException,
    XksKeyAlreadyInUseException,
    XksKeyInvalidConfigurationException,
    XksKeyNotFoundException,
    XksProxyIncorrectAuthenticationCredentialException,
    XksProxyUriEndpointInUseException,
    XksProxyUriInUseException,
    XksProxyUriUnreachableException,
    XksProxyVpcEndpointServiceInUseException,
)
from .._fields import DamagedState, Fields, iso, parse_time
from .._models import Key
from . import operation
from ._kms import Kms, Request, page

CLOUDHSM = "AWS_CLOUDHSM"
XKS = "EXTERNAL_KEY_STORE"
CONNECTED, CONNECTING, DISCONNECTED, DISCONNECTING, FAILED = (
    "CONNECTED",
    "CONNECTING",
    "DISCONNECTED",
    "DISCONNECTING",
    "FAILED",
)
#: The clock's event kinds for key stores: a connection or disconnection finishing.
CONNECT_DONE = "CustomKeyStoreConnected"
DISCONNECT_DONE = "CustomKeyStoreDisconnected"
EVENTS = (CONNECT_DONE, DISCONNECT_DONE)
#: Custom key stores per account and Region (resource-limits.html).
KEY_STORES_PER_REGION = 10
#: CreateCustomKeyStore, UpdateCustomKeyStore and CreateKey need two active HSMs; ConnectCustomKeyStore one.
HSMS_TO_CREATE, HSMS_TO_CONNECT = 2, 1


def digest(secret: str) -> str:
    """What is kept of a secret: its SHA-256, to compare a later one with."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass
class HsmPeriod:
    """One HSM's life in a simulated cluster: from ``start`` to ``stop`` (None while it runs)."""

    start: datetime
    stop: datetime | None = None


@dataclass
class Cluster:
    """A simulated AWS CloudHSM cluster (``Simulator.add_cloudhsm_cluster``)."""

    cluster_id: str
    account: str
    region: str
    trust_anchor: str
    active_hsms: int
    certificate: str  # clusters restored from one backup share it (CloudHsmClusterNotRelatedException)
    password_digest: str  # the kmsuser password, as a digest
    #: Each HSM's life on the simulated clock, [start, stop or None], for AWS CloudHSM's HSM-hour charge
    #: (``Simulator.usage``). Empty for a cluster of a saved state written before kmssim recorded them.
    hsm_periods: list[HsmPeriod] = field(default_factory=list)

    def set_hsms(self, hsms: int, now: datetime) -> None:
        """Make ``hsms`` HSMs active from ``now``: new HSMs start now; removing HSMs stops the newest first
        (an HSM that started and stopped at the same instant is forgotten)."""
        running = [p for p in self.hsm_periods if p.stop is None]
        if hsms > self.active_hsms:
            self.hsm_periods.extend(HsmPeriod(now) for _ in range(hsms - self.active_hsms))
        else:
            for period in running[::-1][: self.active_hsms - hsms]:
                period.stop = now
            self.hsm_periods = [p for p in self.hsm_periods if p.stop is None or p.stop > p.start]
        self.active_hsms = hsms


@dataclass
class KeyManager:
    """A simulated external key manager behind an XKS proxy (``Simulator.add_external_key_manager``)."""

    uri_endpoint: str
    uri_path: str
    access_key_id: str
    secret_digest: str
    keys: dict[str, str] = field(default_factory=dict)  # external key ID -> "ENABLED" | "DISABLED"
    #: The VPC endpoint service the proxy is reachable through (VPC_ENDPOINT_SERVICE connectivity), if any.
    vpc_endpoint_service: str | None = None


@dataclass
class KeyStore:
    """One custom key store of an account and Region."""

    store_id: str
    name: str
    account: str
    region: str
    store_type: str
    created: datetime
    state: str = DISCONNECTED
    error_code: str | None = None
    cluster_id: str | None = None
    trust_anchor: str | None = None
    password_digest: str | None = None
    xks: dict[str, Any] = field(default_factory=dict)  # XksProxyConfiguration (no secret)
    secret_digest: str | None = None

    def entry(self) -> dict[str, Any]:
        """The store as DescribeCustomKeyStores lists it (API_CustomKeyStoresListEntry)."""
        out: dict[str, Any] = {
            "CustomKeyStoreId": self.store_id,
            "CustomKeyStoreName": self.name,
            "ConnectionState": self.state,
            "CreationDate": self.created,
            "CustomKeyStoreType": self.store_type,
        }
        if self.error_code is not None:
            out["ConnectionErrorCode"] = self.error_code
        if self.store_type == CLOUDHSM:
            out["CloudHsmClusterId"] = self.cluster_id
            out["TrustAnchorCertificate"] = self.trust_anchor
        else:
            out["XksProxyConfiguration"] = dict(self.xks)
        return out


@dataclass
class KeyStores:
    """The simulated world's clusters, external key managers, custom key stores, and which key is in which."""

    clusters: dict[str, Cluster] = field(default_factory=dict)
    managers: dict[tuple[str, str], KeyManager] = field(default_factory=dict)  # (endpoint, path)
    stores: dict[str, KeyStore] = field(default_factory=dict)
    key_store: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # key ARN -> (store, XKS key)

    def state_of(self, key: Key) -> str:
        """The key's state as AWS shows it: ``Unavailable`` while its store is not connected."""
        found = self.key_store.get(key.arn)
        if found is not None and self.stores[found[0]].state != CONNECTED and key.deleted is None:
            return "Unavailable"
        return key.state

    def used_by(self, operation: str, params: dict[str, Any], key: Key | None) -> tuple[str, str] | None:
        """(type, ID) of the custom key store a request uses: its key's, or GenerateRandom's CustomKeyStoreId.
        For the quota gate: a store has a request quota of its own (requests-per-second.html)."""
        if not self.stores:
            return None
        store_id = params.get("CustomKeyStoreId") if operation == "GenerateRandom" else None
        if store_id is None and key is not None:
            found = self.key_store.get(key.arn)
            store_id = found[0] if found is not None else None
        store = self.stores.get(store_id) if isinstance(store_id, str) else None
        return (store.store_type, store.store_id) if store is not None else None

    def metadata(self, key: Key) -> dict[str, Any]:
        """KeyMetadata's CustomKeyStoreId and CloudHsmClusterId or XksKeyConfiguration (API_KeyMetadata)."""
        found = self.key_store.get(key.arn)
        if found is None:
            return {}
        store = self.stores[found[0]]
        if store.store_type == CLOUDHSM:
            return {"CustomKeyStoreId": store.store_id, "CloudHsmClusterId": store.cluster_id}
        return {"CustomKeyStoreId": store.store_id, "XksKeyConfiguration": {"Id": found[1]}}


def _store(kms: Kms, req: Request) -> KeyStore:
    store = kms.stores.stores.get(req.params["CustomKeyStoreId"])
    if store is None or store.account != req.account or store.region != req.region:
        raise CustomKeyStoreNotFoundException(
            f"Custom key store {req.params['CustomKeyStoreId']} does not exist in this account and Region."
        )
    return store


def _mine(kms: Kms, req: Request) -> list[KeyStore]:
    return [s for s in kms.stores.stores.values() if s.account == req.account and s.region == req.region]


def _cluster(kms: Kms, req: Request, cluster_id: str, hsms: int) -> Cluster:
    cluster = kms.stores.clusters.get(cluster_id)
    if cluster is None or cluster.account != req.account or cluster.region != req.region:
        raise CloudHsmClusterNotFoundException(f"AWS CloudHSM cluster {cluster_id} is not found.")
    if cluster.active_hsms == 0:
        raise CloudHsmClusterNotActiveException(f"AWS CloudHSM cluster {cluster_id} is not active.")
    if cluster.active_hsms < hsms:
        raise CloudHsmClusterInvalidConfigurationException(
            f"AWS CloudHSM cluster {cluster_id} must have at least {hsms} active HSMs in different Availability Zones."
        )
    return cluster


def _manager(kms: Kms, xks: dict[str, Any], secret: dict[str, str] | None) -> KeyManager:
    manager = kms.stores.managers.get((xks["UriEndpoint"], xks["UriPath"]))
    if manager is None:
        raise XksProxyUriUnreachableException(
            f"KMS cannot reach the external key store proxy at {xks['UriEndpoint']}{xks['UriPath']}."
        )
    if secret is not None and (
        secret["AccessKeyId"] != manager.access_key_id
        or digest(secret["RawSecretAccessKey"]) != manager.secret_digest
    ):
        raise XksProxyIncorrectAuthenticationCredentialException(
            "The external key store proxy rejected the authentication credential."
        )
    return manager


def _xks_config(p: dict[str, Any], old: dict[str, Any] | None = None) -> dict[str, Any]:
    config = dict(old or {})
    for member, key in (
        ("XksProxyConnectivity", "Connectivity"),
        ("XksProxyUriEndpoint", "UriEndpoint"),
        ("XksProxyUriPath", "UriPath"),
        ("XksProxyVpcEndpointServiceName", "VpcEndpointServiceName"),
        ("XksProxyVpcEndpointServiceOwner", "VpcEndpointServiceOwner"),
    ):
        if p.get(member) is not None:
            config[key] = p[member]
    if p.get("XksProxyAuthenticationCredential"):
        config["AccessKeyId"] = p["XksProxyAuthenticationCredential"]["AccessKeyId"]
    return config


@operation("CreateCustomKeyStore")
def create_custom_key_store(kms: Kms, req: Request) -> dict[str, Any]:
    """API_CreateCustomKeyStore: a new store starts DISCONNECTED; names are unique per account and Region."""
    p = req.params
    store_type = p.get("CustomKeyStoreType", CLOUDHSM)
    kms.authorize(req, "kms:CreateCustomKeyStore", None, "*")
    mine = _mine(kms, req)
    if any(s.name == p["CustomKeyStoreName"] for s in mine):
        raise CustomKeyStoreNameInUseException(
            f"Custom key store name {p['CustomKeyStoreName']} is already in use."
        )
    if len(mine) >= KEY_STORES_PER_REGION:
        raise LimitExceededException(
            f"The quota of {KEY_STORES_PER_REGION} custom key stores per Region is reached."
        )
    store = KeyStore("", p["CustomKeyStoreName"], req.account, req.region, store_type, kms.world.now)
    if store_type == CLOUDHSM:
        for member in ("CloudHsmClusterId", "TrustAnchorCertificate", "KeyStorePassword"):
            if not p.get(member):
                raise ValidationException(f"{member} is required for an AWS CloudHSM key store.")
        cluster = _cluster(kms, req, p["CloudHsmClusterId"], HSMS_TO_CREATE)
        if any(
            s.cluster_id is not None and kms.stores.clusters[s.cluster_id].certificate == cluster.certificate
            for s in mine
        ):
            raise CloudHsmClusterInUseException(
                f"AWS CloudHSM cluster {cluster.cluster_id} is already in use."
            )
        if p["TrustAnchorCertificate"].strip() != cluster.trust_anchor.strip():
            raise IncorrectTrustAnchorException("The trust anchor certificate is not the cluster's.")
        store.cluster_id, store.trust_anchor = cluster.cluster_id, cluster.trust_anchor
        store.password_digest = digest(p["KeyStorePassword"])
    else:
        for member in (
            "XksProxyUriEndpoint",
            "XksProxyUriPath",
            "XksProxyAuthenticationCredential",
            "XksProxyConnectivity",
        ):
            if not p.get(member):
                raise ValidationException(f"{member} is required for an external key store.")
        vpc = p["XksProxyConnectivity"] == "VPC_ENDPOINT_SERVICE"
        if vpc and not p.get("XksProxyVpcEndpointServiceName"):
            raise ValidationException(
                "XksProxyVpcEndpointServiceName is required for VPC_ENDPOINT_SERVICE connectivity."
            )
        store.xks = _xks_config(p)
        if vpc and "VpcEndpointServiceOwner" not in store.xks:
            store.xks["VpcEndpointServiceOwner"] = req.account  # "default: the caller's account"
        if any(
            s.xks.get("UriEndpoint") == store.xks["UriEndpoint"]
            and s.xks.get("UriPath") == store.xks["UriPath"]
            for s in mine
        ):
            raise XksProxyUriInUseException("The external key store proxy URI is already in use.")
        vpc_stores = [s for s in mine if s.xks.get("Connectivity") == "VPC_ENDPOINT_SERVICE"]
        if any(s.xks.get("UriEndpoint") == store.xks["UriEndpoint"] for s in vpc_stores):
            raise XksProxyUriEndpointInUseException(
                "Each external key store with VPC endpoint service connectivity needs its own private DNS name."
            )
        if vpc and any(
            s.xks.get("VpcEndpointServiceName") == store.xks["VpcEndpointServiceName"] for s in vpc_stores
        ):
            raise XksProxyVpcEndpointServiceInUseException(
                "Each external key store with VPC endpoint service connectivity needs its own endpoint service."
            )
        if not vpc:  # KMS contacts a public proxy now; a VPC one first at ConnectCustomKeyStore (API_CreateCustomKeyStore)
            _manager(kms, store.xks, p["XksProxyAuthenticationCredential"])
        store.secret_digest = digest(p["XksProxyAuthenticationCredential"]["RawSecretAccessKey"])
    store.store_id = "cks-" + kms.world.random_bytes(9).hex()[:17]
    kms.stores.stores[store.store_id] = store
    return {"CustomKeyStoreId": store.store_id}


@operation("DescribeCustomKeyStores")
def describe_custom_key_stores(kms: Kms, req: Request) -> dict[str, Any]:
    """API_DescribeCustomKeyStores: all the account's stores in the Region, or the one named by ID or name."""
    kms.authorize(req, "kms:DescribeCustomKeyStores", None, "*")
    p = req.params
    stores = _mine(kms, req)
    if p.get("CustomKeyStoreId") and p.get("CustomKeyStoreName"):
        raise ValidationException("Specify CustomKeyStoreId or CustomKeyStoreName, not both.")
    if p.get("CustomKeyStoreId"):
        stores = [_store(kms, req)]
    elif p.get("CustomKeyStoreName"):
        stores = [s for s in stores if s.name == p["CustomKeyStoreName"]]
        if not stores:
            raise CustomKeyStoreNotFoundException(
                f"Custom key store {p['CustomKeyStoreName']} does not exist."
            )
    chunk, more = page([s.entry() for s in stores], p, 1000)
    return {"CustomKeyStores": chunk, **more}


@operation("ConnectCustomKeyStore")
def connect_custom_key_store(kms: Kms, req: Request) -> dict[str, Any]:
    """API_ConnectCustomKeyStore: CONNECTING at once, CONNECTED (or FAILED with a ConnectionErrorCode) after
    ``choices.CLOUDHSM_CONNECT_TIME`` or ``XKS_CONNECT_TIME``; refused while DISCONNECTING or FAILED (disconnect a FAILED store first)."""
    kms.authorize(req, "kms:ConnectCustomKeyStore", None, "*")
    store = _store(kms, req)
    if store.state in (DISCONNECTING, FAILED):
        raise CustomKeyStoreInvalidStateException(
            f"Custom key store {store.store_id} is {store.state}: disconnect it before connecting."
        )
    if store.state == DISCONNECTED:
        if store.store_type == CLOUDHSM:
            assert store.cluster_id is not None
            _cluster(kms, req, store.cluster_id, HSMS_TO_CONNECT)
        store.state, store.error_code = CONNECTING, None
        wait = choices.CLOUDHSM_CONNECT_TIME if store.store_type == CLOUDHSM else choices.XKS_CONNECT_TIME
        kms.world.schedule(kms.world.now + wait, CONNECT_DONE, store.store_id)
    return {}


@operation("DisconnectCustomKeyStore")
def disconnect_custom_key_store(kms: Kms, req: Request) -> dict[str, Any]:
    """API_DisconnectCustomKeyStore: DISCONNECTING, then DISCONNECTED after ``choices.KEY_STORE_DISCONNECT_TIME``;
    the store's keys are Unavailable at once."""
    kms.authorize(req, "kms:DisconnectCustomKeyStore", None, "*")
    store = _store(kms, req)
    if store.state in (DISCONNECTING, DISCONNECTED):
        raise CustomKeyStoreInvalidStateException(f"Custom key store {store.store_id} is {store.state}.")
    store.state, store.error_code = DISCONNECTING, None
    kms.world.schedule(kms.world.now + choices.KEY_STORE_DISCONNECT_TIME, DISCONNECT_DONE, store.store_id)
    return {}


#: UpdateCustomKeyStore members that need a DISCONNECTED store; the others may change while CONNECTED too.
_DISCONNECTED_ONLY = frozenset(
    {
        "KeyStorePassword",
        "CloudHsmClusterId",
        "XksProxyUriEndpoint",
        "XksProxyConnectivity",
        "XksProxyVpcEndpointServiceName",
        "XksProxyVpcEndpointServiceOwner",
    }
)


@operation("UpdateCustomKeyStore")
def update_custom_key_store(kms: Kms, req: Request) -> dict[str, Any]:
    """API_UpdateCustomKeyStore: the name (and for XKS the credential and URI path) while CONNECTED or
    DISCONNECTED; everything else only while DISCONNECTED."""
    kms.authorize(req, "kms:UpdateCustomKeyStore", None, "*")
    p = req.params
    store = _store(kms, req)
    changing = {m for m in p if m != "CustomKeyStoreId" and p[m] is not None}
    allowed = {CONNECTED, DISCONNECTED} if not changing & _DISCONNECTED_ONLY else {DISCONNECTED}
    if store.state not in allowed:
        raise CustomKeyStoreInvalidStateException(
            f"Custom key store {store.store_id} is {store.state}; this change needs it "
            f"{' or '.join(sorted(allowed))}."
        )
    name = p.get("NewCustomKeyStoreName")
    if name and any(s.name == name and s is not store for s in _mine(kms, req)):
        raise CustomKeyStoreNameInUseException(f"Custom key store name {name} is already in use.")
    if store.store_type == CLOUDHSM:
        if p.get("CloudHsmClusterId"):
            cluster = _cluster(kms, req, p["CloudHsmClusterId"], HSMS_TO_CREATE)
            assert store.cluster_id is not None
            if cluster.certificate != kms.stores.clusters[store.cluster_id].certificate:
                raise CloudHsmClusterNotRelatedException(
                    f"AWS CloudHSM cluster {cluster.cluster_id} is not related to the key store's cluster."
                )
            store.cluster_id = cluster.cluster_id
        if p.get("KeyStorePassword"):
            store.password_digest = digest(p["KeyStorePassword"])
    else:
        config = _xks_config(p, store.xks)
        secret = p.get("XksProxyAuthenticationCredential")
        if secret is not None or config != store.xks:
            _manager(kms, config, secret)
        store.xks = config
        if secret is not None:
            store.secret_digest = digest(secret["RawSecretAccessKey"])
    if name:
        store.name = name
    return {}


@operation("DeleteCustomKeyStore")
def delete_custom_key_store(kms: Kms, req: Request) -> dict[str, Any]:
    """API_DeleteCustomKeyStore: the store must be DISCONNECTED and hold no KMS key that is not yet deleted."""
    kms.authorize(req, "kms:DeleteCustomKeyStore", None, "*")
    store = _store(kms, req)
    if any(
        s == store.store_id and kms.keys[arn].deleted is None for arn, (s, _) in kms.stores.key_store.items()
    ):
        raise CustomKeyStoreHasCMKsException(
            f"Custom key store {store.store_id} still has KMS keys: delete them (their waiting period must end) first."
        )
    if store.state != DISCONNECTED:
        raise CustomKeyStoreInvalidStateException(
            f"Custom key store {store.store_id} must be DISCONNECTED to be deleted."
        )
    del kms.stores.stores[store.store_id]
    return {}


def check_new_key(kms: Kms, req: Request, spec_name: str, origin: str) -> tuple[KeyStore, str | None]:
    """CreateKey in a custom key store (API_CreateKey): symmetric keys only, a CONNECTED store of the origin's
    type, and for XKS an enabled external AES-256 key not used by another key of the store."""
    p = req.params
    store = _store(kms, req)
    if (store.store_type == CLOUDHSM) != (origin == CLOUDHSM):
        raise UnsupportedOperationException(
            f"Origin {origin} does not match custom key store type {store.store_type}."
        )
    if spec_name != "SYMMETRIC_DEFAULT":
        raise UnsupportedOperationException("Custom key stores hold symmetric encryption KMS keys only.")
    if store.state != CONNECTED:
        raise CustomKeyStoreInvalidStateException(f"Custom key store {store.store_id} is not connected.")
    if store.store_type == CLOUDHSM:
        assert store.cluster_id is not None
        _cluster(kms, req, store.cluster_id, HSMS_TO_CREATE)
        return store, None
    xks_id = p.get("XksKeyId")
    if not xks_id:
        raise ValidationException("XksKeyId is required for a KMS key in an external key store.")
    manager = _manager(kms, store.xks, None)
    status = manager.keys.get(xks_id)
    if status is None:
        raise XksKeyNotFoundException(
            "The external key store proxy rejected the request because it could not find the external key."
        )
    if status != "ENABLED":
        raise XksKeyInvalidConfigurationException(
            f"The status of the external key must be ENABLED. The status of specified external key is {status}."
        )
    if any(s == store.store_id and x == xks_id for s, x in kms.stores.key_store.values()):
        raise XksKeyAlreadyInUseException(
            f"External key {xks_id} is already used by a KMS key of this key store."
        )
    return store, xks_id


def random_source(kms: Kms, req: Request) -> None:
    """GenerateRandom with a CustomKeyStoreId (API_GenerateRandom): the bytes come from a CONNECTED CloudHSM
    key store's cluster; an external key store cannot generate them."""
    store = _store(kms, req)
    if store.store_type != CLOUDHSM:
        raise UnsupportedOperationException(
            f"{store.store_id} is an external key store: GenerateRandom takes a CloudHSM key store only."
        )
    if store.state != CONNECTED:
        raise CustomKeyStoreInvalidStateException(f"Custom key store {store.store_id} is not connected.")


def run_due(kms: Kms, kind: str, store_id: str) -> None:
    """A connection or disconnection finishing on the clock. Connecting fails (FAILED, with AWS's
    ConnectionErrorCode) when the cluster has no active HSM, or the proxy is gone or rejects the credential."""
    store = kms.stores.stores.get(store_id)
    if store is None:
        return
    if kind == DISCONNECT_DONE:
        if store.state == DISCONNECTING:
            store.state = DISCONNECTED
        return
    if store.state != CONNECTING:
        return
    error = None
    if store.store_type == CLOUDHSM:
        cluster = kms.stores.clusters.get(store.cluster_id or "")
        if cluster is None:
            error = "CLUSTER_NOT_FOUND"
        elif cluster.active_hsms < HSMS_TO_CONNECT:
            error = "INSUFFICIENT_CLOUDHSM_HSMS"
        elif cluster.password_digest != store.password_digest:
            error = "INVALID_CREDENTIALS"
    else:
        manager = kms.stores.managers.get((store.xks["UriEndpoint"], store.xks["UriPath"]))
        service = store.xks.get("VpcEndpointServiceName")
        if service is not None and (manager is None or manager.vpc_endpoint_service != service):
            error = "XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND"
        elif manager is None:
            error = "XKS_PROXY_NOT_REACHABLE"
        elif (
            manager.access_key_id != store.xks["AccessKeyId"] or manager.secret_digest != store.secret_digest
        ):
            error = "INVALID_CREDENTIALS"
    store.state, store.error_code = (FAILED, error) if error else (CONNECTED, None)


# ---------------------------------------------------------------------------------------------- saved state


def dump(stores: KeyStores) -> dict[str, Any]:
    return {
        "clusters": [
            {**vars(c), "hsm_periods": [[iso(p.start), p.stop and iso(p.stop)] for p in c.hsm_periods]}
            for c in stores.clusters.values()
        ],
        "managers": [{**vars(m), "keys": dict(m.keys)} for m in stores.managers.values()],
        "stores": [
            {**vars(s), "created": iso(s.created), "xks": dict(s.xks)} for s in stores.stores.values()
        ],
        "key_store": [[arn, s, x] for arn, (s, x) in stores.key_store.items()],
    }


def load(data: object, keys: dict[str, Key], where: str) -> KeyStores:
    """The key stores of a saved state; DamagedState for anything ``dump`` cannot have written."""
    f = Fields(data, where)
    out = KeyStores()
    for i, d in enumerate(f.items("clusters")):
        c = Fields(d, f.path(f"clusters[{i}]"))
        cluster = Cluster(
            cluster_id=c.text("cluster_id"),
            account=c.text("account"),
            region=c.text("region"),
            trust_anchor=c.text("trust_anchor"),
            active_hsms=c.whole("active_hsms", 0, 28),
            certificate=c.text("certificate"),
            password_digest=c.text("password_digest"),
        )
        if "hsm_periods" in c.data:  # absent in states saved before kmssim billed HSM-hours
            for at, (a, b) in c.rows("hsm_periods", "[start, stop or null]", lambda r: len(r) == 2):
                start = parse_time(a, at)
                stop = None if b is None else parse_time(b, at)
                if stop is not None and stop <= start:
                    raise DamagedState(at, "an HSM that stops before it starts")
                cluster.hsm_periods.append(HsmPeriod(start, stop))
            if sum(1 for p in cluster.hsm_periods if p.stop is None) > cluster.active_hsms:
                raise c.fail("hsm_periods", "more HSMs running than the cluster's active HSMs")
        c.done()
        out.clusters[cluster.cluster_id] = cluster
    for i, d in enumerate(f.items("managers")):
        m = Fields(d, f.path(f"managers[{i}]"))
        manager = KeyManager(
            uri_endpoint=m.text("uri_endpoint"),
            uri_path=m.text("uri_path"),
            access_key_id=m.text("access_key_id"),
            secret_digest=m.text("secret_digest"),
            vpc_endpoint_service=m.text("vpc_endpoint_service", optional=True),
        )
        manager.keys = m.text_map("keys")
        m.done()
        out.managers[(manager.uri_endpoint, manager.uri_path)] = manager
    for i, d in enumerate(f.items("stores")):
        s = Fields(d, f.path(f"stores[{i}]"))
        store = KeyStore(
            store_id=s.text("store_id"),
            name=s.text("name"),
            account=s.text("account"),
            region=s.text("region"),
            store_type=s.text("store_type", choices=(CLOUDHSM, XKS)),
            created=s.time("created"),
            state=s.text("state", choices=(CONNECTED, CONNECTING, DISCONNECTED, DISCONNECTING, FAILED)),
            error_code=s.text("error_code", optional=True),
            cluster_id=s.text("cluster_id", optional=True),
            trust_anchor=s.text("trust_anchor", optional=True),
            password_digest=s.text("password_digest", optional=True),
            xks=s.get("xks"),
            secret_digest=s.text("secret_digest", optional=True),
        )
        if not isinstance(store.xks, dict) or not all(isinstance(v, str) for v in store.xks.values()):
            raise s.fail("xks", "expected an object of text")
        if store.cluster_id is not None and store.cluster_id not in out.clusters:
            raise s.fail("cluster_id", "names no cluster")
        s.done()
        out.stores[store.store_id] = store
    shape = "[key ARN, custom key store ID, external key ID or null]"
    for at, row in f.rows("key_store", shape, lambda r: len(r) == 3):
        arn, store_id, xks_id = row
        if arn not in keys or store_id not in out.stores:
            raise DamagedState(at, "names a key or key store that does not exist")
        out.key_store[arn] = (store_id, xks_id)
    f.done()
    return out


__all__ = ["EVENTS", "KeyStores", "check_new_key", "dump", "load", "random_source", "run_due"]
