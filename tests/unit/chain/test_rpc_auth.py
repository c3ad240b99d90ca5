"""The lean JSON-RPC client behind an authenticating endpoint: headers, basic auth, user:pass@ in the URL."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from web3 import Web3

from agents.chain.errors import is_transient
from agents.chain.rpc import JsonRpc, RpcProtocolError, redact_url, rpc_for
from tests.auth_proxy import AuthProxy

USER, PASSWORD = "agent@emergent", "p:ss w/rd"  # characters that must be percent-encoded in a URL


@pytest.fixture
def proxy(rpc_url):
    p = AuthProxy(rpc_url, header=("X-Api-Key", "k-123"), basic=(USER, PASSWORD))
    yield p
    p.close()


def test_header_credentials__calls_and_batches_pass(proxy, w3):
    rpc = JsonRpc(proxy.url, headers={"X-Api-Key": "k-123"})
    assert int(rpc.request("eth_chainId"), 16) == w3.eth.chain_id
    got = rpc.batch([("eth_chainId", []), ("eth_blockNumber", [])])
    assert int(got[0], 16) == w3.eth.chain_id and got[1].startswith("0x")
    assert proxy.refused == 0 and proxy.forwarded == 2


def test_no_or_wrong_credentials__refused_with_a_clear_not_transient_error(proxy):
    for rpc in (
        JsonRpc(proxy.url),
        JsonRpc(proxy.url, headers={"X-Api-Key": "wrong"}),
        JsonRpc(proxy.url, auth=(USER, "wrong")),
    ):
        with pytest.raises(RpcProtocolError, match="HTTP 401: the endpoint refused our credentials") as info:
            rpc.request("eth_blockNumber")
        assert not is_transient(info.value)
    assert proxy.refused == 3 and proxy.forwarded == 0


def test_url_credentials__percent_decoded_sent_as_basic_auth_and_never_shown(proxy, w3):
    url = proxy.url_with(quote(USER, safe=""), quote(PASSWORD, safe=""))
    rpc = JsonRpc(url)
    assert int(rpc.request("eth_chainId"), 16) == w3.eth.chain_id
    assert PASSWORD not in rpc.url and quote(PASSWORD, safe="") not in rpc.url
    assert rpc.url == f"http://{quote(USER, safe='')}:***@127.0.0.1:{proxy.port}/"
    bad = JsonRpc(proxy.url_with("x", "secret-pw"))
    with pytest.raises(RpcProtocolError) as info:
        bad.request("eth_blockNumber")
    assert "secret-pw" not in str(info.value)


def test_auth_argument__basic_auth(proxy, w3):
    assert int(JsonRpc(proxy.url, auth=(USER, PASSWORD)).request("eth_chainId"), 16) == w3.eth.chain_id


def test_from_web3__carries_the_providers_headers_auth_and_url_credentials(proxy, w3):
    by_header = Web3(Web3.HTTPProvider(proxy.url, request_kwargs={"headers": {"X-Api-Key": "k-123"}}))
    by_auth = Web3(Web3.HTTPProvider(proxy.url, request_kwargs={"auth": (USER, PASSWORD)}))
    by_url = Web3(Web3.HTTPProvider(proxy.url_with(quote(USER, safe=""), quote(PASSWORD, safe=""))))
    for web3 in (by_header, by_auth, by_url):
        assert web3.eth.chain_id == w3.eth.chain_id  # web3 itself gets through
        assert int(rpc_for(web3).request("eth_chainId"), 16) == w3.eth.chain_id  # and so does the lean client
    assert proxy.refused == 0


def test_redact_url():
    assert redact_url("https://u:secret@host.example:8545/v1?x=1") == "https://u:***@host.example:8545/v1?x=1"
    assert redact_url("http://127.0.0.1:8545") == "http://127.0.0.1:8545"


def test_devnet_helpers__url_credentials_or_a_client_with_headers(proxy, w3):
    from agents import devnet

    by_url = proxy.url_with(quote(USER, safe=""), quote(PASSWORD, safe=""))
    assert int(devnet.rpc(by_url, "eth_chainId"), 16) == w3.eth.chain_id
    assert devnet.node_kind(by_url) == "anvil" and devnet.dialect(by_url).kind == "anvil"
    by_header = JsonRpc(proxy.url, headers={"X-Api-Key": "k-123"})
    head = int(devnet.rpc(by_header, "eth_blockNumber"), 16)
    devnet.mine_blocks(by_header, 1)
    assert int(devnet.rpc(by_header, "eth_blockNumber"), 16) == head + 1
    assert proxy.refused == 0


def test_devnet_helpers__refused__one_line_devnet_error_without_the_password(proxy):
    from agents import devnet

    with pytest.raises(devnet.DevnetError) as info:
        devnet.rpc(proxy.url_with("x", "secret-pw"), "eth_blockNumber")
    assert str(info.value) == (
        f"eth_blockNumber: http://x:***@127.0.0.1:{proxy.port}/: HTTP 401: "
        "the endpoint refused our credentials"
    )
    assert devnet.node_kind(proxy.url) is None  # no credentials: not a devnet we can use
    with pytest.raises(devnet.DevnetError, match=r"^http://x:\*\*\*@127\.0\.0\.1:\d+/ is not an anvil"):
        devnet.dialect(proxy.url_with("x", "secret-pw"))


def test_reader__headers_basic_auth_url_credentials_and_web3(proxy, w3, alice):
    from agents.chain.reader import ChainReader

    by_url = proxy.url_with(quote(USER, safe=""), quote(PASSWORD, safe=""))
    web3 = Web3(Web3.HTTPProvider(proxy.url, request_kwargs={"headers": {"X-Api-Key": "k-123"}}))
    readers = [
        ChainReader.at(proxy.url, headers={"X-Api-Key": "k-123"}),
        ChainReader.at(proxy.url, auth=(USER, PASSWORD)),
        ChainReader.at(by_url),
        ChainReader(web3),
    ]
    for reader in readers:
        assert reader.chain_id == w3.eth.chain_id
        assert reader.balance(alice.address) == w3.eth.get_balance(alice.address)
        assert reader.receipts(["0x" + "ab" * 32]) == {"0x" + "ab" * 32: None}
    assert proxy.refused == 0
