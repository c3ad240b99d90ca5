"""Deploying off local networks (issue 10, finding 10) and the slash-window relation (finding 12).

The live-network path runs on the test anvil with `is_local=False`: founders are addresses that do not
sign during the deploy, there is no local funding, and the guardian is an address. Before the fix the
founders had no stake when their guardian seat was set and the deploy stopped halfway ("guardian stake
below floor"); now the deployer mints each founder's stake and bonds it for the founder (`stakeFor`).
"""

import copy

import pytest

from agents.chain import deploy_governance  # noqa: F401  (registers the governance stage)
from agents.chain.deploy_governance import GOVERNED_CONTRACTS, assert_deployer_powerless
from agents.chain.deployment import DeployError, deploy_all, load_params
from agents.paths import PARAMS_DIR

WEI = 10**18


@pytest.fixture
def testnet_params(accounts):
    """params/ethereum-sepolia.yaml with its three founder addresses replaced by test accounts 6, 7, 8."""
    params = load_params(PARAMS_DIR / "ethereum-sepolia.yaml")
    founders = params["market"]["founders"]
    for f, i in zip(founders, (6, 7, 8), strict=True):
        f["account"] = accounts[i].address
    params["governance"]["guardian"] = accounts[6].address
    return params


def test_deploy__non_local_network__completes_with_founders_bonded_seated_and_voting(
    deployer, accounts, project, testnet_params
):
    result = deploy_all(
        deployer, params=testnet_params, redeploy=True, write=False, log=lambda _m: None, is_local=False
    )
    c = {name: project.get_contract(name).at(addr) for name, addr in result["contracts"].items()}
    staking, escrow, governor, token = c["Staking"], c["ServiceEscrow"], c["Governor"], c["AgentToken"]
    founders = [accounts[i].address for i in (6, 7, 8)]
    for f in founders:
        assert staking.bondedOf(f) == 5_000 * WEI
        assert escrow.isGuardian(f)
        assert staking.votingActive(f)
    assert staking.totalVotingStake() == 15_000 * WEI
    assert governor.guardian() == founders[0]
    assert staking.unbondingPeriod() == 14 * 86_400
    assert c["Timelock"].get_minimum_delay() == 2 * 86_400
    # Nothing was minted to test accounts (no local funding) and the deployer keeps no token and no power.
    assert "funded_accounts" not in result
    assert token.balanceOf(deployer) == 0
    for name in GOVERNED_CONTRACTS:
        assert c[name].owner() == c["Timelock"].address
    assert_deployer_powerless(c, deployer.address)


def test_deploy__non_local_network__founder_can_unstake_its_bonded_stake(
    deployer, accounts, project, testnet_params
):
    result = deploy_all(
        deployer, params=testnet_params, redeploy=True, write=False, log=lambda _m: None, is_local=False
    )
    staking = project.Staking.at(result["contracts"]["Staking"])
    staking.requestUnstake(1_000 * WEI, sender=accounts[7])
    assert staking.queuedOf(accounts[7]) == 1_000 * WEI


def test_deploy__test_account_index_off_local__refused_before_any_transaction(deployer, testnet_params):
    params = copy.deepcopy(testnet_params)
    params["governance"]["guardian"] = 6
    nonce = deployer.nonce
    with pytest.raises(DeployError, match="account indices are for local networks"):
        deploy_all(deployer, params=params, redeploy=True, write=False, log=lambda _m: None, is_local=False)
    assert deployer.nonce > nonce  # the market stage ran; the governance stage stops at the guardian


@pytest.mark.parametrize("unbonding", [60, 1_036_799])
def test_deploy__unbonding_shorter_than_proposal_path__refused_before_any_transaction(
    deployer, testnet_params, unbonding
):
    """Finding 12: stake queued when a slashing proposal appears must still be there when it executes:
    unbonding >= Timelock delay + (voting delay + period + late-quorum extension) x seconds per block
    (here 172,800 + 72,000 x 12 = 1,036,800 s)."""
    params = copy.deepcopy(testnet_params)
    params["market"]["staking"]["unbonding_period"] = unbonding
    nonce = deployer.nonce
    with pytest.raises(DeployError, match=r"shorter than a proposal's path .*= 1036800 s"):
        deploy_all(deployer, params=params, redeploy=True, write=False, log=lambda _m: None, is_local=False)
    assert deployer.nonce == nonce


def test_deploy__unbonding_equal_to_proposal_path__accepted(deployer, testnet_params):
    params = copy.deepcopy(testnet_params)
    params["market"]["staking"]["unbonding_period"] = 1_036_800
    deploy_all(deployer, params=params, redeploy=True, write=False, log=lambda _m: None, is_local=False)
