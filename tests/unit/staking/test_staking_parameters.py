"""The governance PARAMETERS table's Staking entries (agents/chain/governance.py) against the contract:
the encoded action is a `setParameter(string,uint256)` call Staking accepts from its owner, and each
entry's getter and bound constants exist on-chain with the bounds the contract enforces."""

import ape
import pytest

from agents.chain import governance as gv

STAKING_PARAMS = sorted(name for name, spec in gv.PARAMETERS.items() if spec.contract == "Staking")


def test_table__names_both_staking_parameters_by_their_getters():
    assert STAKING_PARAMS == ["staking.slashBeneficiaryShareBps", "staking.unbondingPeriod"]
    for name in STAKING_PARAMS:
        spec = gv.PARAMETERS[name]
        assert spec.setter == "setParameter(string,uint256)"
        # The key passed to setParameter is the public getter's name, as for the escrow and Reputation.
        assert spec.key == spec.getter == name.removeprefix("staking.")


def _bound(staking, bound):
    return bound if isinstance(bound, int) else getattr(staking, bound)()


@pytest.mark.parametrize("name", STAKING_PARAMS)
def test_param_change__calldata_sets_the_value_through_setparameter(staking, deployer, name):
    spec = gv.PARAMETERS[name]
    lower, upper = _bound(staking, spec.lower), _bound(staking, spec.upper)
    for value in (lower, upper):
        [action] = gv.param_change(spec, value, staking.address)
        assert action.target == staking.address and action.value == 0
        assert action.calldata == bytes(staking.setParameter.encode_input(spec.key, value))
        previous = getattr(staking, spec.getter)()
        tx = deployer.transfer(staking, 0, data=action.calldata)
        (ev,) = tx.decode_logs(staking.ParameterUpdated)
        assert (ev.name, ev.previous, ev.current) == (spec.key, previous, value)
        assert getattr(staking, spec.getter)() == value


@pytest.mark.parametrize("name", STAKING_PARAMS)
def test_param_change__table_bounds_are_the_contracts(staking, deployer, name):
    """Just outside the bounds the table resolves, the contract refuses (the CLI's offline check and
    the chain agree)."""
    spec = gv.PARAMETERS[name]
    lower, upper = _bound(staking, spec.lower), _bound(staking, spec.upper)
    reason = {
        "unbondingPeriod": "Staking: unbonding period out of bounds",
        "slashBeneficiaryShareBps": "Staking: share out of bounds",
    }[spec.key]
    outside = [upper + 1] + ([lower - 1] if lower > 0 else [])
    for value in outside:
        with pytest.raises(gv.GovernanceInputError):
            gv.check_bounds(spec, value, lower, upper)
        with ape.reverts(reason):
            staking.setParameter(spec.key, value, sender=deployer)
