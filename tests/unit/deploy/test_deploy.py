"""The deploy stages: parameters validated, addresses recorded, re-use of a live deployment."""

import json

import pytest

from agents.chain.deployment import (
    DeployError,
    deploy_all,
    live_deployment,
    load_deployment,
    load_params,
    network_slug,
    to_wei,
)
from agents.paths import PARAMS_DIR


@pytest.fixture
def deployments_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("EMERGENT_DEPLOYMENTS_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def local_params():
    return load_params(PARAMS_DIR / "ethereum-local.yaml")


def test_deploy_all__writes_file_with_chain_block_and_addresses(
    deployments_dir, deployer, chain, local_params
):
    result = deploy_all(deployer, params=local_params, log=lambda _: None)
    data = json.loads((deployments_dir / "ethereum-local.json").read_text())
    assert data == result
    assert data["chain_id"] == chain.chain_id
    assert data["block"] >= 1
    assert set(data["contracts"]) >= {"AgentToken"}
    for address in data["contracts"].values():
        assert chain.provider.get_code(address)


def test_deploy_all__funds_first_n_test_accounts(deployments_dir, deployer, accounts, project, local_params):
    result = deploy_all(deployer, params=local_params, log=lambda _: None)
    token = project.AgentToken.at(result["contracts"]["AgentToken"])
    n = local_params["local_funding"]["accounts"]
    amount = to_wei(local_params["local_funding"]["amount"])
    assert result["funded_accounts"] == [a.address for a in list(accounts)[:n]]
    for a in list(accounts)[:n]:
        assert token.balanceOf(a) >= amount  # governance stages may add stake flows, never take tokens away
    assert token.totalSupply() <= token.cap()


def test_deploy_all__second_run_reuses_live_deployment(deployments_dir, deployer, local_params):
    first = deploy_all(deployer, params=local_params, log=lambda _: None)
    messages = []
    second = deploy_all(deployer, params=local_params, log=messages.append)
    assert second == first
    assert any("re-using" in m for m in messages)


def test_deploy_all__redeploy_makes_a_new_set(deployments_dir, deployer, local_params):
    first = deploy_all(deployer, params=local_params, log=lambda _: None)
    second = deploy_all(deployer, params=local_params, redeploy=True, log=lambda _: None)
    assert second["contracts"]["AgentToken"] != first["contracts"]["AgentToken"]


def test_live_deployment__stale_file_from_another_chain__is_not_reused(deployments_dir, chain, local_params):
    (deployments_dir / "ethereum-local.json").write_text(
        json.dumps(
            {
                "chain_id": chain.chain_id,
                "block": 1,
                "genesis_hash": "0x" + "00" * 32,
                "contracts": {"AgentToken": "0x" + "11" * 20},
            }
        )
    )
    assert live_deployment("ethereum:local", chain.provider) is None


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"token": {"cap": -1}}, "parameter token.cap"),
        ({"token": {"symbol": "TOOLONG"}}, "parameter token.symbol"),
        ({"token": {"surprise": 1}}, "parameter token.surprise"),
        ({"local_funding": {"amount": "0.0000000000000000001"}}, "parameter local_funding.amount"),
        ({"tokne": {}}, "unknown parameter section"),
    ],
)
def test_deploy_all__bad_parameters__refused_before_any_transaction(
    deployments_dir, deployer, chain, bad, message
):
    nonce = deployer.nonce
    with pytest.raises(DeployError, match=message):
        deploy_all(deployer, params=bad, log=lambda _: None)
    assert deployer.nonce == nonce
    assert not (deployments_dir / "ethereum-local.json").exists()


def test_load_params__missing_file__says_which(tmp_path):
    with pytest.raises(DeployError, match="no parameter file"):
        load_params(tmp_path / "nope.yaml")


def test_load_deployment__missing_or_malformed__one_line_errors(tmp_path):
    with pytest.raises(DeployError, match="no deployment file"):
        load_deployment(tmp_path / "x.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(DeployError, match="not valid JSON"):
        load_deployment(bad)
    bad.write_text("{}")
    with pytest.raises(DeployError, match="missing the 'contracts' mapping"):
        load_deployment(bad)


def test_network_slug__drops_provider_and_rejects_garbage():
    assert network_slug("ethereum:local:foundry") == "ethereum-local"
    assert network_slug("ethereum:sepolia") == "ethereum-sepolia"
    with pytest.raises(DeployError):
        network_slug("ethereum")


@pytest.mark.parametrize("amount, wei", [("1", 10**18), ("0.5", 5 * 10**17), (0, 0)])
def test_to_wei__whole_tokens_to_wei(amount, wei):
    assert to_wei(amount) == wei


@pytest.mark.parametrize("amount", ["-1", "1e-19"])
def test_to_wei__negative_or_sub_wei__refused(amount):
    with pytest.raises(ValueError):
        to_wei(amount)
