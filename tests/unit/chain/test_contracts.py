"""Contract handles by name from the deployments file and ape's build output; clear errors."""

import json

import pytest

from agents.chain.abi import AbiError, load_abi, load_abis
from agents.chain.contracts import Contracts, ContractsError


@pytest.fixture
def deployment_file(tmp_path, token, w3):
    path = tmp_path / "ethereum-local.json"
    path.write_text(json.dumps({"chain_id": w3.eth.chain_id, "contracts": {"AgentToken": token.address}}))
    return path


def test_load__handle_by_name_calls_the_contract(w3, deployment_file, token):
    handles = Contracts.load(w3, deployment_file=deployment_file)
    assert "AgentToken" in handles and list(handles) == ["AgentToken"]
    assert handles["AgentToken"].functions.symbol().call() == "AGENT"
    assert handles.address("AgentToken") == token.address
    assert handles.watch_list()["AgentToken"][0] == token.address


def test_load__missing_file__clear_error(w3, tmp_path):
    with pytest.raises(ContractsError, match="no deployment file"):
        Contracts.load(w3, deployment_file=tmp_path / "nope.json")


def test_load__other_chain__refused(w3, tmp_path, token):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"chain_id": 1, "contracts": {"AgentToken": token.address}}))
    with pytest.raises(ContractsError, match="chain 1"):
        Contracts.load(w3, deployment_file=path)


def test_load__bad_address__refused(w3, tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"contracts": {"AgentToken": "0x1234"}}))
    with pytest.raises(ContractsError, match="no valid address"):
        Contracts.load(w3, deployment_file=path)


def test_unknown_contract__names_the_deployed_ones(w3, deployment_file):
    handles = Contracts.load(w3, deployment_file=deployment_file)
    with pytest.raises(ContractsError, match="deployed: AgentToken"):
        handles["ServiceEscrow"]
    assert handles.get("ServiceEscrow") is None


def test_deployed_but_not_compiled__clear_error(w3, tmp_path, token):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"contracts": {"Mystery": token.address}}))
    handles = Contracts.load(w3, deployment_file=path)
    with pytest.raises(ContractsError, match="ape compile"):
        handles.abi("Mystery")


def test_abi__from_build_output():
    abi = load_abi("AgentToken")
    assert any(item.get("name") == "transfer" for item in abi)
    assert "AgentToken" in load_abis()


def test_abi__missing_build_file_or_contract__clear_error(tmp_path):
    with pytest.raises(AbiError, match="ape compile"):
        load_abis(tmp_path / "none.json")
    bad = tmp_path / "b.json"
    bad.write_text("{}")
    with pytest.raises(AbiError, match="contractTypes"):
        load_abis(bad)
    with pytest.raises(AbiError, match=r"compiled: .*AgentToken"):
        load_abi("Nope")
