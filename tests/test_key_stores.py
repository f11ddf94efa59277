"""Custom key stores: AWS CloudHSM key stores and external key stores (XKS), connection states on the simulated
clock, keys in a store, Unavailable keys, and the key-store errors AWS documents.

Sources: API_CreateCustomKeyStore, API_ConnectCustomKeyStore, API_DisconnectCustomKeyStore,
API_DescribeCustomKeyStores, API_UpdateCustomKeyStore, API_DeleteCustomKeyStore, API_CreateKey (CustomKeyStoreId,
XksKeyId), API_GenerateRandom, and https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html.
"""

from __future__ import annotations

import json
from typing import Any

import botocore.exceptions
import pytest

import kmssim
from kmssim import choices

XKS_CREDENTIAL = {"AccessKeyId": "ABCDEFGHIJKLMNOPQRST", "RawSecretAccessKey": "a" * 43}
ENDPOINT = "https://xks.example.com"


def code(fn: Any) -> str:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        fn()
    return str(info.value.response["Error"]["Code"])


def cloudhsm_store(sim: kmssim.Simulator, kms: Any, name: str = "hsm", **cluster: Any) -> tuple[str, str]:
    cluster_id = sim.add_cloudhsm_cluster(password="kmsuser-pass", **cluster)
    store = kms.create_custom_key_store(
        CustomKeyStoreName=name,
        CloudHsmClusterId=cluster_id,
        TrustAnchorCertificate=sim.cloudhsm_trust_anchor(cluster_id),
        KeyStorePassword="kmsuser-pass",
    )["CustomKeyStoreId"]
    return store, cluster_id


def xks_store(sim: kmssim.Simulator, kms: Any) -> str:
    sim.add_external_key_manager(
        ENDPOINT,
        access_key_id=XKS_CREDENTIAL["AccessKeyId"],
        secret_access_key=XKS_CREDENTIAL["RawSecretAccessKey"],
        keys={"ext-1": "ENABLED", "ext-off": "DISABLED"},
    )
    return str(
        kms.create_custom_key_store(
            CustomKeyStoreName="xks",
            CustomKeyStoreType="EXTERNAL_KEY_STORE",
            XksProxyUriEndpoint=ENDPOINT,
            XksProxyUriPath="/kms/xks/v1",
            XksProxyConnectivity="PUBLIC_ENDPOINT",
            XksProxyAuthenticationCredential=XKS_CREDENTIAL,
        )["CustomKeyStoreId"]
    )


def state(kms: Any, store: str) -> str:
    return str(
        kms.describe_custom_key_stores(CustomKeyStoreId=store)["CustomKeyStores"][0]["ConnectionState"]
    )


@pytest.fixture
def world() -> tuple[kmssim.Simulator, Any]:
    sim = kmssim.Simulator(seed=21)
    return sim, sim.client("kms")


def test_a_cloudhsm_store_connects_on_the_clock_and_holds_symmetric_keys(
    world: tuple[kmssim.Simulator, Any],
) -> None:
    sim, kms = world
    store, cluster = cloudhsm_store(sim, kms)
    assert store.startswith("cks-") and len(store) == 21
    entry = kms.describe_custom_key_stores(CustomKeyStoreId=store)["CustomKeyStores"][0]
    assert entry["ConnectionState"] == "DISCONNECTED" and entry["CloudHsmClusterId"] == cluster
    assert "KeyStorePassword" not in json.dumps(entry, default=str)
    assert code(lambda: kms.create_key(CustomKeyStoreId=store, Origin="AWS_CLOUDHSM")) == (
        "CustomKeyStoreInvalidStateException"
    )
    kms.connect_custom_key_store(CustomKeyStoreId=store)
    assert state(kms, store) == "CONNECTING"
    sim.advance(seconds=choices.CLOUDHSM_CONNECT_TIME.total_seconds() - 1)
    assert state(kms, store) == "CONNECTING"
    sim.advance(seconds=1)
    assert state(kms, store) == "CONNECTED"
    md = kms.create_key(CustomKeyStoreId=store, Origin="AWS_CLOUDHSM")["KeyMetadata"]
    assert (md["Origin"], md["CustomKeyStoreId"], md["CloudHsmClusterId"]) == ("AWS_CLOUDHSM", store, cluster)
    blob = kms.encrypt(KeyId=md["KeyId"], Plaintext=b"secret")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"
    assert len(kms.generate_random(NumberOfBytes=8, CustomKeyStoreId=store)["Plaintext"]) == 8
    assert code(lambda: kms.create_key(CustomKeyStoreId=store, Origin="AWS_CLOUDHSM", KeySpec="HMAC_256",
                                       KeyUsage="GENERATE_VERIFY_MAC")) == "UnsupportedOperationException"  # fmt: skip
    assert code(lambda: kms.enable_key_rotation(KeyId=md["KeyId"])) == "UnsupportedOperationException"


def test_keys_are_unavailable_while_their_store_is_disconnected(world: tuple[kmssim.Simulator, Any]) -> None:
    """key-state.html: Unavailable keys refuse cryptographic operations ("<key ARN> is unavailable.") and come
    back in their earlier state when the store reconnects."""
    sim, kms = world
    store, _ = cloudhsm_store(sim, kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store)
    sim.advance(minutes=20)
    key = kms.create_key(CustomKeyStoreId=store, Origin="AWS_CLOUDHSM")["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    kms.disconnect_custom_key_store(CustomKeyStoreId=store)
    assert state(kms, store) == "DISCONNECTING"
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Unavailable"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        kms.decrypt(CiphertextBlob=blob)
    assert info.value.response["Error"] == {
        "Code": "KMSInvalidStateException",
        "Message": f"{key['Arn']} is unavailable.",
    }
    sim.advance(minutes=1)
    assert state(kms, store) == "DISCONNECTED"
    kms.connect_custom_key_store(CustomKeyStoreId=store)
    sim.advance(minutes=20)
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_connecting_fails_with_aws_error_codes(world: tuple[kmssim.Simulator, Any]) -> None:
    sim, kms = world
    store, cluster = cloudhsm_store(sim, kms)
    sim.set_cloudhsm_hsms(cluster, 0)
    assert (
        code(lambda: kms.connect_custom_key_store(CustomKeyStoreId=store))
        == "CloudHsmClusterNotActiveException"
    )
    sim.set_cloudhsm_hsms(cluster, 1)  # enough to connect, not to create keys
    kms.connect_custom_key_store(CustomKeyStoreId=store)
    sim.set_cloudhsm_hsms(cluster, 0)
    sim.advance(minutes=20)
    entry = kms.describe_custom_key_stores(CustomKeyStoreId=store)["CustomKeyStores"][0]
    assert (entry["ConnectionState"], entry["ConnectionErrorCode"]) == (
        "FAILED",
        "INSUFFICIENT_CLOUDHSM_HSMS",
    )
    assert (
        code(lambda: kms.connect_custom_key_store(CustomKeyStoreId=store))
        == "CustomKeyStoreInvalidStateException"
    )
    kms.disconnect_custom_key_store(CustomKeyStoreId=store)  # a FAILED store is disconnected before retrying
    sim.advance(minutes=1)
    assert state(kms, store) == "DISCONNECTED"


def test_create_errors(world: tuple[kmssim.Simulator, Any]) -> None:
    sim, kms = world
    store, cluster = cloudhsm_store(sim, kms)
    again = {"CloudHsmClusterId": cluster, "TrustAnchorCertificate": sim.cloudhsm_trust_anchor(cluster),
             "KeyStorePassword": "kmsuser-pass"}  # fmt: skip
    assert code(lambda: kms.create_custom_key_store(CustomKeyStoreName="hsm", **again)) == (
        "CustomKeyStoreNameInUseException"
    )
    assert code(lambda: kms.create_custom_key_store(CustomKeyStoreName="other", **again)) == (
        "CloudHsmClusterInUseException"
    )
    other = sim.add_cloudhsm_cluster()
    wrong = {**again, "CloudHsmClusterId": other}
    assert code(lambda: kms.create_custom_key_store(CustomKeyStoreName="other", **wrong)) == (
        "IncorrectTrustAnchorException"
    )
    missing = {**again, "CloudHsmClusterId": "cluster-234567abcdef"}
    assert code(lambda: kms.create_custom_key_store(CustomKeyStoreName="x", **missing)) == (
        "CloudHsmClusterNotFoundException"
    )
    single = sim.add_cloudhsm_cluster(hsms=1)
    one = {**again, "CloudHsmClusterId": single, "TrustAnchorCertificate": sim.cloudhsm_trust_anchor(single)}
    assert code(lambda: kms.create_custom_key_store(CustomKeyStoreName="y", **one)) == (
        "CloudHsmClusterInvalidConfigurationException"
    )
    assert code(lambda: kms.describe_custom_key_stores(CustomKeyStoreId="cks-00000000000000000")) == (
        "CustomKeyStoreNotFoundException"
    )
    assert len(kms.describe_custom_key_stores()["CustomKeyStores"]) == 1
    assert store


def test_an_external_key_store_and_its_keys(world: tuple[kmssim.Simulator, Any]) -> None:
    sim, kms = world
    store = xks_store(sim, kms)
    entry = kms.describe_custom_key_stores(CustomKeyStoreId=store)["CustomKeyStores"][0]
    assert entry["XksProxyConfiguration"] == {
        "Connectivity": "PUBLIC_ENDPOINT",
        "AccessKeyId": XKS_CREDENTIAL["AccessKeyId"],
        "UriEndpoint": ENDPOINT,
        "UriPath": "/kms/xks/v1",
    }
    assert XKS_CREDENTIAL["RawSecretAccessKey"] not in json.dumps(sim.to_json())
    kms.connect_custom_key_store(CustomKeyStoreId=store)
    sim.advance(seconds=choices.XKS_CONNECT_TIME.total_seconds())
    assert state(kms, store) == "CONNECTED"
    make = {"CustomKeyStoreId": store, "Origin": "EXTERNAL_KEY_STORE"}
    md = kms.create_key(XksKeyId="ext-1", **make)["KeyMetadata"]
    assert md["XksKeyConfiguration"] == {"Id": "ext-1"} and md["Origin"] == "EXTERNAL_KEY_STORE"
    assert code(lambda: kms.create_key(XksKeyId="ext-1", **make)) == "XksKeyAlreadyInUseException"
    assert code(lambda: kms.create_key(XksKeyId="nope", **make)) == "XksKeyNotFoundException"
    assert code(lambda: kms.create_key(XksKeyId="ext-off", **make)) == "XksKeyInvalidConfigurationException"
    assert code(lambda: kms.generate_random(NumberOfBytes=8, CustomKeyStoreId=store)) == (
        "UnsupportedOperationException"
    )
    bad = {**XKS_CREDENTIAL, "RawSecretAccessKey": "b" * 43}
    assert code(
        lambda: kms.update_custom_key_store(CustomKeyStoreId=store, XksProxyAuthenticationCredential=bad)
    ) == ("XksProxyIncorrectAuthenticationCredentialException")


def test_update_and_delete_rules(world: tuple[kmssim.Simulator, Any]) -> None:
    """UpdateCustomKeyStore: the name may change while CONNECTED, the password only while DISCONNECTED;
    DeleteCustomKeyStore: DISCONNECTED and no KMS key left (CustomKeyStoreHasCMKsException)."""
    sim, kms = world
    store, _ = cloudhsm_store(sim, kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store)
    sim.advance(minutes=20)
    kms.update_custom_key_store(CustomKeyStoreId=store, NewCustomKeyStoreName="renamed")
    assert kms.describe_custom_key_stores(CustomKeyStoreName="renamed")["CustomKeyStores"][0][
        "CustomKeyStoreId"
    ] == (store)
    assert code(
        lambda: kms.update_custom_key_store(CustomKeyStoreId=store, KeyStorePassword="another-pass")
    ) == ("CustomKeyStoreInvalidStateException")
    key = kms.create_key(CustomKeyStoreId=store, Origin="AWS_CLOUDHSM")["KeyMetadata"]["KeyId"]
    assert (
        code(lambda: kms.delete_custom_key_store(CustomKeyStoreId=store)) == "CustomKeyStoreHasCMKsException"
    )
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    kms.disconnect_custom_key_store(CustomKeyStoreId=store)
    sim.advance(minutes=1)
    assert (
        code(lambda: kms.delete_custom_key_store(CustomKeyStoreId=store)) == "CustomKeyStoreHasCMKsException"
    )
    sim.advance(days=7)
    kms.delete_custom_key_store(CustomKeyStoreId=store)
    assert kms.describe_custom_key_stores()["CustomKeyStores"] == []


def test_key_stores_survive_save_and_load(world: tuple[kmssim.Simulator, Any]) -> None:
    sim, kms = world
    store, _ = cloudhsm_store(sim, kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store)
    sim.advance(minutes=20)
    key = kms.create_key(CustomKeyStoreId=store, Origin="AWS_CLOUDHSM")["KeyMetadata"]["KeyId"]
    again = kmssim.Simulator.from_json(sim.to_json())
    assert json.dumps(again.to_json(), sort_keys=True) == json.dumps(sim.to_json(), sort_keys=True)
    described = again.call("DescribeKey", {"KeyId": key})["KeyMetadata"]
    assert described["CustomKeyStoreId"] == store
    assert "kmsuser-pass" not in json.dumps(sim.to_json())


def test_the_inventory_shows_what_describe_key_shows(world: tuple[kmssim.Simulator, Any]) -> None:
    """The trainer's view (``Simulator.inventory``) shows a key of a disconnected store as Unavailable too."""
    sim, kms = world
    store, _ = cloudhsm_store(sim, kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store)
    sim.advance(minutes=20)
    key = kms.create_key(CustomKeyStoreId=store, Origin="AWS_CLOUDHSM")["KeyMetadata"]["KeyId"]
    kms.disconnect_custom_key_store(CustomKeyStoreId=store)
    (summary,) = [s for s in sim.inventory() if s.key_id == key]
    assert summary.state == kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Unavailable"


def test_each_store_has_its_own_request_quota() -> None:
    """ "1,800 (shared) per CloudHSM key store" for its keys' cryptographic operations (requests-per-second.html);
    a request that is throttled counts nowhere, and another store's keys are not slowed."""
    sim = kmssim.Simulator(seed=21, enforce_quotas=True)
    kms = sim.client("kms")
    stores = [cloudhsm_store(sim, kms, name=f"hsm-{i}")[0] for i in range(2)]
    for store in stores:
        kms.connect_custom_key_store(CustomKeyStoreId=store)
    sim.advance(minutes=21)
    first, second = (
        kms.create_key(CustomKeyStoreId=s, Origin="AWS_CLOUDHSM")["KeyMetadata"]["KeyId"] for s in stores
    )
    sim.advance(seconds=1)
    blob = sim.call("Encrypt", {"KeyId": first, "Plaintext": b"x"})["CiphertextBlob"]
    for _ in range(1798):
        sim.call("Encrypt", {"KeyId": first, "Plaintext": b"x"})
    sim.call("Decrypt", {"CiphertextBlob": blob})  # the 1,800th: the ciphertext names the key
    with pytest.raises(kmssim.ThrottlingException):
        sim.call("Encrypt", {"KeyId": first, "Plaintext": b"x"})
    sim.call("Encrypt", {"KeyId": second, "Plaintext": b"x"})
    sim.advance(seconds=1)
    sim.call("Encrypt", {"KeyId": first, "Plaintext": b"x"})


def test_an_external_key_store_over_a_vpc_endpoint_service() -> None:
    """VPC_ENDPOINT_SERVICE connectivity: KMS first reaches the proxy at ConnectCustomKeyStore, not at creation;
    a missing or other endpoint service fails the connection (XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND); each VPC store
    needs its own private DNS name and endpoint service (API_CreateCustomKeyStore)."""
    sim = kmssim.Simulator(seed=21)
    kms = sim.client("kms")
    service = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
    base = {
        "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
        "XksProxyUriEndpoint": "https://xks.internal.example.com",
        "XksProxyUriPath": "/kms/xks/v1",
        "XksProxyConnectivity": "VPC_ENDPOINT_SERVICE",
        "XksProxyVpcEndpointServiceName": service,
        "XksProxyAuthenticationCredential": XKS_CREDENTIAL,
    }
    store = kms.create_custom_key_store(CustomKeyStoreName="vpc", **base)["CustomKeyStoreId"]  # no proxy yet
    entry = kms.describe_custom_key_stores(CustomKeyStoreId=store)["CustomKeyStores"][0]
    assert entry["XksProxyConfiguration"]["VpcEndpointServiceOwner"] == sim.account_id
    kms.connect_custom_key_store(CustomKeyStoreId=store)
    sim.advance(minutes=5)
    entry = kms.describe_custom_key_stores(CustomKeyStoreId=store)["CustomKeyStores"][0]
    assert (entry["ConnectionState"], entry["ConnectionErrorCode"]) == (
        "FAILED",
        "XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND",
    )
    sim.add_external_key_manager(
        base["XksProxyUriEndpoint"],
        access_key_id=XKS_CREDENTIAL["AccessKeyId"],
        secret_access_key=XKS_CREDENTIAL["RawSecretAccessKey"],
        keys=["ext-1"],
        vpc_endpoint_service=service,
    )
    kms.disconnect_custom_key_store(CustomKeyStoreId=store)
    sim.advance(minutes=1)
    kms.connect_custom_key_store(CustomKeyStoreId=store)
    sim.advance(minutes=5)
    assert state(kms, store) == "CONNECTED"
    assert kms.create_key(CustomKeyStoreId=store, Origin="EXTERNAL_KEY_STORE", XksKeyId="ext-1")[
        "KeyMetadata"
    ]
    other_path = {**base, "XksProxyUriPath": "/other/kms/xks/v1"}
    assert code(lambda: kms.create_custom_key_store(CustomKeyStoreName="b", **other_path)) == (
        "XksProxyUriEndpointInUseException"
    )
    other_host = {**base, "XksProxyUriEndpoint": "https://xks2.internal.example.com"}
    assert code(lambda: kms.create_custom_key_store(CustomKeyStoreName="c", **other_host)) == (
        "XksProxyVpcEndpointServiceInUseException"
    )
    again = kmssim.Simulator.from_json(sim.to_json())
    assert json.dumps(again.to_json(), sort_keys=True) == json.dumps(sim.to_json(), sort_keys=True)
