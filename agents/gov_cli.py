"""`emergent gov`: propose, vote, queue, execute, cancel, inspect governance proposals.

Every command checks its input and the chain state first (parameter known? value within the on-chain
bounds? proposal known and in the right state? caller eligible at the snapshot?) and sends nothing
when a check fails: the user gets one `Error: ...` line and exit code 2. The checks live in
`GovSession` (usable without click, e.g. by tests and agents); proposal encoding lives in the pure
module `agents.chain.governance`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import click

from agents.chain import governance as gv
from agents.cli_common import (
    DEFAULT_NETWORK,
    InputError,
    check_network,
    connected,
    load_account,
    parse_address,
    use_local_devnet_if_running,
)

GAS_MARGIN_NUM, GAS_MARGIN_DEN, GAS_MARGIN_ADD = 13, 10, 30_000  # estimate * 1.3 + 30k (TOOLCHAIN.md)
CONTRACT_OF = {"Governor": "Governor", "Timelock": "Timelock", "Staking": "Staking",
               "ServiceEscrow": "ServiceEscrow", "Reputation": "Reputation"}


def _fmt(wei: int) -> str:
    return f"{Decimal(wei) / Decimal(10**18):,.4f}"


@dataclass
class ProposalInfo:
    id: int
    proposer: str
    targets: list[str]
    values: list[int]
    calldatas: list[bytes]
    description: str
    vote_start: int
    vote_end: int

    @property
    def args(self) -> tuple:
        return (self.targets, self.values, self.calldatas, gv.description_hash(self.description))


class GovSession:
    """Contract handles of one deployment plus the checks every command runs before sending."""

    def __init__(self, contracts: dict[str, Any], deploy_block: int = 0):
        self.c = contracts
        self.deploy_block = deploy_block
        missing = [n for n in ("Governor", "Timelock") if n not in contracts]
        if missing:
            raise click.ClickException(f"the deployment has no {', '.join(missing)}: deploy governance first")
        self.governor = contracts["Governor"]
        self.timelock = contracts["Timelock"]

    # --- chain helpers ---------------------------------------------------------------------------

    @staticmethod
    def head() -> int:
        from ape import chain

        return chain.blocks.height

    def proposal(self, proposal_id: int) -> ProposalInfo:
        if self.governor.proposalSnapshot(proposal_id) == 0:
            raise InputError(f"unknown proposal {proposal_id}")
        for info in self.proposals():
            if info.id == proposal_id:
                return info
        raise InputError(f"proposal {proposal_id} exists but its ProposalCreated event was not found")

    def proposals(self) -> list[ProposalInfo]:
        out = []
        for log in self.governor.ProposalCreated.range(self.deploy_block, self.head() + 1):
            out.append(ProposalInfo(
                id=log.proposalId, proposer=log.proposer, targets=list(log.targets), values=list(log.values),
                calldatas=[bytes(c) for c in log.calldatas], description=log.description,
                vote_start=log.voteStart, vote_end=log.voteEnd,
            ))
        return out

    def state(self, proposal_id: int) -> int:
        return self.governor.state(proposal_id)

    def _require_state(self, proposal_id: int, wanted: tuple[int, ...], action: str) -> int:
        st = self.state(proposal_id)
        if st not in wanted:
            names = " or ".join(gv.STATE_NAMES[w] for w in wanted)
            raise InputError(f"cannot {action} proposal {proposal_id}: it is {gv.STATE_NAMES[st]}, not {names}")
        return st

    @staticmethod
    def send(method: Any, *args: Any, sender: Any) -> Any:
        """Estimate, add a margin (checkpoint writes under-estimate at 'latest'), send (waits for inclusion)."""
        from ape.exceptions import ContractLogicError

        from ape import chain

        # Estimated in the pending block (the one the transaction lands in): at "latest" a vote in the
        # first voting block would look premature, and checkpoint writes look cheaper than they are.
        try:
            txn = method.as_transaction(*args, sender=sender)
            estimate = chain.provider.estimate_gas_cost(txn, block_id="pending")
        except ContractLogicError as exc:
            raise InputError(f"the transaction would revert: {exc.message or exc}") from None
        gas = estimate * GAS_MARGIN_NUM // GAS_MARGIN_DEN + GAS_MARGIN_ADD
        return method(*args, gas=gas, sender=sender)

    # --- proposals -------------------------------------------------------------------------------

    def param_actions(self, name: str, raw_value: str) -> list[gv.Action]:
        return _wrap(self._param_actions, name, raw_value)

    def _param_actions(self, name: str, raw_value: str) -> list[gv.Action]:
        spec = gv.lookup_parameter(name)
        value = gv.parse_value(spec, raw_value)
        contract = self.c.get(spec.contract)
        if contract is None:
            raise InputError(f"{spec.name}: the deployment has no {spec.contract}")
        lower = spec.lower if isinstance(spec.lower, int) else getattr(contract, spec.lower)()
        upper = spec.upper if isinstance(spec.upper, int) else getattr(contract, spec.upper)()
        gv.check_bounds(spec, value, lower, upper)
        current = getattr(contract, spec.getter)()
        if current == value:
            raise InputError(f"{spec.name} is already {gv.format_value(spec, value)}")
        return gv.param_change(spec, value, contract.address)

    def grant_actions(self, to: str, amount: int) -> list[gv.Action]:
        token = self.c["AgentToken"]
        held = token.balanceOf(self.timelock.address)
        if amount > held:
            raise InputError(f"the treasury (Timelock) holds {_fmt(held)} AGENT, less than {_fmt(amount)}")
        return _wrap(gv.treasury_grant, token.address, to, amount)

    def mint_actions(self, to: str, amount: int) -> list[gv.Action]:
        token = self.c["AgentToken"]
        if not token.is_minter(self.timelock.address):
            raise InputError("the Timelock is not the token's minter")
        room = token.remainingMintable()
        if amount > room:
            raise InputError(f"minting {_fmt(amount)} AGENT would exceed the cap ({_fmt(room)} AGENT left)")
        return _wrap(gv.mint, token.address, to, amount)

    def guardian_actions(self, new: str) -> list[gv.Action]:
        old = self.governor.guardian()
        try:
            return gv.guardian_change(self.governor.address, self.timelock.address, new, old)
        except gv.GovernanceInputError as exc:
            raise InputError(str(exc)) from None

    def check_can_propose(self, proposer: str, args: tuple) -> int:
        """The proposal floor as the Governor reads it (values at the end of the current head block)."""
        staking, reputation = self.c["Staking"], self.c["Reputation"]
        stake, rep = staking.getVotes(proposer), reputation.reputationOf(proposer)
        need_stake, need_rep = self.governor.proposalThreshold(), self.governor.proposalReputationThreshold()
        if stake < need_stake:
            hint = ""
            if not staking.votingActive(proposer) and staking.bondedOf(proposer) >= need_stake:
                hint = " (its stake does not vote until Staking.activateVoting; the reputation gate applies)"
            raise InputError(f"{proposer} cannot propose: voting stake {_fmt(stake)} AGENT < threshold "
                             f"{_fmt(need_stake)}{hint}")
        if rep < need_rep:
            raise InputError(f"{proposer} cannot propose: reputation {rep} < threshold {need_rep}")
        pid = gv.proposal_id(*args)
        if self.governor.proposalSnapshot(pid) != 0:
            raise InputError(f"proposal {pid} already exists (same actions and description)")
        return pid

    def propose(self, actions: list[gv.Action], description: str, sender: Any) -> tuple[int, Any]:
        try:
            args = gv.proposal_args(actions, description)
        except gv.GovernanceInputError as exc:
            raise InputError(str(exc)) from None
        pid = self.check_can_propose(sender.address, args)
        receipt = self.send(self.governor.propose, *args, sender=sender)
        return pid, receipt

    # --- voting and execution --------------------------------------------------------------------

    def check_can_vote(self, proposal_id: int, voter: str) -> int:
        """Voting open in the next block, not voted yet, reputation and stake at the snapshot."""
        info_snapshot = self.governor.proposalSnapshot(proposal_id)
        if info_snapshot == 0:
            raise InputError(f"unknown proposal {proposal_id}")
        st = self.state(proposal_id)
        head = self.head()
        opens_next_block = st == gv.PENDING and info_snapshot <= head
        if not (st == gv.ACTIVE or opens_next_block) or self.governor.proposalDeadline(proposal_id) <= head:
            raise InputError(f"cannot vote on proposal {proposal_id}: it is {gv.STATE_NAMES[st]}"
                             + (f" (voting opens after block {info_snapshot})" if st == gv.PENDING else ""))
        if self.governor.hasVoted(proposal_id, voter):
            raise InputError(f"{voter} has already voted on proposal {proposal_id}")
        staking, reputation = self.c["Staking"], self.c["Reputation"]
        if info_snapshot < head:
            rep = reputation.getPastReputation(voter, info_snapshot)
            weight = staking.getPastVotes(voter, info_snapshot)
        else:
            rep, weight = reputation.reputationOf(voter), staking.getVotes(voter)
        gate = self.governor.proposalMinVotingReputation(proposal_id)
        if rep < gate:
            raise InputError(f"{voter} is not eligible: reputation {rep} at the snapshot < gate {gate}")
        if weight == 0:
            raise InputError(f"{voter} is not eligible: no stake at the snapshot (block {info_snapshot})")
        return weight

    def vote(self, proposal_id: int, support: int, reason: str, sender: Any) -> tuple[int, Any]:
        weight = self.check_can_vote(proposal_id, sender.address)
        if reason:
            receipt = self.send(self.governor.castVoteWithReason, proposal_id, support, reason, sender=sender)
        else:
            receipt = self.send(self.governor.castVote, proposal_id, support, sender=sender)
        return weight, receipt

    def queue(self, proposal_id: int, sender: Any) -> Any:
        info = self.proposal(proposal_id)
        self._require_state(proposal_id, (gv.SUCCEEDED,), "queue")
        return self.send(self.governor.queue, *info.args, sender=sender)

    def execute(self, proposal_id: int, sender: Any) -> Any:
        from ape import chain

        info = self.proposal(proposal_id)
        self._require_state(proposal_id, (gv.QUEUED,), "execute")
        eta = self.governor.proposalEta(proposal_id)
        now = chain.blocks.head.timestamp
        if now < eta:
            raise InputError(f"cannot execute proposal {proposal_id} yet: the Timelock delay ends in {eta - now} s")
        return self.send(self.governor.execute, *info.args, sender=sender)

    def activate_voting(self, account: str, sender: Any) -> Any:
        """Staking.activateVoting(account): checked first (not active yet, reputation at the gate)."""
        staking, reputation = self.c["Staking"], self.c["Reputation"]
        if staking.votingActive(account):
            raise InputError(f"voting is already active for {account}")
        rep, gate = reputation.reputationOf(account), self.governor.minVotingReputation()
        if rep < gate:
            raise InputError(f"{account} cannot activate voting: reputation {rep} < gate {gate}")
        return self.send(staking.activateVoting, account, sender=sender)

    def cancel(self, proposal_id: int, sender: Any) -> Any:
        info = self.proposal(proposal_id)
        st = self.state(proposal_id)
        guardian = self.governor.guardian()
        if sender.address == guardian and guardian != gv.ZERO_ADDRESS:
            if st in (gv.CANCELED, gv.EXPIRED, gv.EXECUTED):
                raise InputError(f"cannot cancel proposal {proposal_id}: it is {gv.STATE_NAMES[st]}")
            if self.governor.proposalGuardianProof(proposal_id):
                raise InputError(f"the guardian cannot cancel proposal {proposal_id}: it only removes cancel powers")
        elif sender.address == info.proposer:
            if st != gv.PENDING:
                raise InputError(f"cannot cancel proposal {proposal_id}: it is {gv.STATE_NAMES[st]}; "
                                 "the proposer may cancel only while Pending")
        else:
            raise InputError(f"{sender.address} may not cancel proposal {proposal_id} (proposer or guardian only)")
        return self.send(self.governor.cancel, *info.args, sender=sender)

    def status_lines(self, proposal_id: int) -> list[str]:
        info = self.proposal(proposal_id)
        g = self.governor
        st = self.state(proposal_id)
        against, for_, abstain = g.proposalVotes(proposal_id)
        snapshot, deadline, head = g.proposalSnapshot(proposal_id), g.proposalDeadline(proposal_id), self.head()
        quorum = f"{_fmt(g.proposalQuorum(proposal_id))} AGENT" if snapshot < head else "known after the snapshot"
        eta = g.proposalEta(proposal_id)
        lines = [
            f"proposal {proposal_id}",
            f"  state     {gv.STATE_NAMES[st]}",
            f"  proposer  {info.proposer}",
            f"  votes     for {_fmt(for_)}  against {_fmt(against)}  abstain {_fmt(abstain)}",
            f"  quorum    {quorum} (for + abstain)",
            f"  snapshot  block {snapshot}; deadline block {deadline} (head {head})",
            f"  eta       {eta if eta else 'not queued'}",
            f"  actions   {len(info.targets)}; description: {info.description.splitlines()[0][:80]}",
        ]
        return lines


# --- click ---------------------------------------------------------------------------------------

network_opt = click.option("--network", default=DEFAULT_NETWORK, show_default=True,
                           callback=lambda c, p, v: check_network(v), help="ape network choice")
account_opt = click.option("--account", "account_alias", default=None, help="ape account alias")
index_opt = click.option("--account-index", default=None, type=int, help="local test account index (default 0)")


def _parse_id(raw: str) -> int:
    try:
        return gv.parse_proposal_id(raw)
    except gv.GovernanceInputError as exc:
        raise InputError(str(exc)) from None


def _deployment(network: str) -> dict:
    from agents.chain.deployment import DeployError, deployment_path, load_deployment

    try:
        return load_deployment(deployment_path(network))
    except DeployError as exc:
        raise click.ClickException(str(exc)) from exc


def open_session(deployment: dict) -> GovSession:
    """Contract handles for a deployment (inside an ape connection)."""
    from ape import Contract, chain, project

    contracts = {}
    for name, addr in deployment["contracts"].items():
        if name in ("AgentToken", *CONTRACT_OF):
            if not chain.provider.get_code(addr):
                raise click.ClickException(f"no contract at {name} {addr}: the deployment file is stale")
            contracts[name] = Contract(addr, contract_type=project.get_contract(name).contract_type)
    return GovSession(contracts, int(deployment.get("block", 0)))


def _run(network: str, account_alias: str | None, account_index: int | None, fn, needs_account: bool = True):
    deployment = _deployment(network)
    use_local_devnet_if_running(network)
    with connected(network):
        session = open_session(deployment)
        sender = load_account(account_alias, account_index) if needs_account else None
        return fn(session, sender)


@click.group()
def gov() -> None:
    """Governance: proposals, votes, the Timelock."""


@gov.group()
def propose() -> None:
    """Create a proposal (parameter change, treasury grant, mint, guardian)."""


def _propose_cmd(build):
    def _inner(session: GovSession, sender: Any, description: str):
        actions = build(session)
        pid, receipt = session.propose(actions, description, sender)
        snap = session.governor.proposalSnapshot(pid)
        click.echo(f"proposed {pid}")
        for a in actions:
            click.echo(f"  - {a.summary}")
        click.echo(f"  voting opens after block {snap}, closes at block {session.governor.proposalDeadline(pid)}; "
                   f"tx {receipt.txn_hash} (gas {receipt.gas_used})")
    return _inner


@propose.command("param")
@click.argument("name")
@click.argument("value")
@click.option("--description", default=None, help="free text (default: generated)")
@network_opt
@account_opt
@index_opt
def propose_param(name, value, description, network, account_alias, account_index):
    """Change parameter NAME to VALUE (tokens in whole AGENT). `emergent gov params` lists them."""
    try:
        spec = gv.lookup_parameter(name)
        parsed = gv.parse_value(spec, value)
    except gv.GovernanceInputError as exc:
        raise InputError(str(exc)) from None
    text = description or f"Set {spec.name} to {gv.format_value(spec, parsed)}"
    _run(network, account_alias, account_index,
         lambda s, a: _propose_cmd(lambda ss: _wrap(ss.param_actions, name, value))(s, a, text))


@propose.command("grant")
@click.option("--to", "to", required=True, help="recipient address")
@click.option("--amount", required=True, help="whole AGENT from the treasury")
@click.option("--description", default=None)
@network_opt
@account_opt
@index_opt
def propose_grant(to, amount, description, network, account_alias, account_index):
    """Pay AMOUNT AGENT from the treasury (the Timelock) to TO."""
    recipient = parse_address(to, "--to")
    wei = _wrap(gv.parse_tokens, amount, "--amount")
    text = description or f"Treasury grant of {amount} AGENT to {recipient}"
    _run(network, account_alias, account_index,
         lambda s, a: _propose_cmd(lambda ss: _wrap(ss.grant_actions, recipient, wei))(s, a, text))


@propose.command("mint")
@click.option("--to", "to", required=True, help="recipient address")
@click.option("--amount", required=True, help="whole AGENT, within the cap")
@click.option("--description", default=None)
@network_opt
@account_opt
@index_opt
def propose_mint(to, amount, description, network, account_alias, account_index):
    """Mint AMOUNT new AGENT to TO (within the supply cap)."""
    recipient = parse_address(to, "--to")
    wei = _wrap(gv.parse_tokens, amount, "--amount")
    text = description or f"Mint {amount} AGENT to {recipient}"
    _run(network, account_alias, account_index,
         lambda s, a: _propose_cmd(lambda ss: _wrap(ss.mint_actions, recipient, wei))(s, a, text))


@propose.command("guardian")
@click.argument("new_guardian")
@click.option("--description", default=None)
@network_opt
@account_opt
@index_opt
def propose_guardian(new_guardian, description, network, account_alias, account_index):
    """Appoint NEW_GUARDIAN (an address, or `none`) as the guardian who may cancel proposals."""
    new = gv.ZERO_ADDRESS if new_guardian.lower() == "none" else parse_address(new_guardian, "guardian")
    text = description or f"Appoint {new} as guardian"
    _run(network, account_alias, account_index,
         lambda s, a: _propose_cmd(lambda ss: ss.guardian_actions(new))(s, a, text))


def _wrap(fn, *args):
    try:
        return fn(*args)
    except gv.GovernanceInputError as exc:
        raise InputError(str(exc)) from None


@gov.command("params")
def params_cmd():
    """List the parameters governance can change."""
    for spec in gv.PARAMETERS.values():
        click.echo(f"{spec.name:<40} {spec.unit:<10} {spec.help}")


@gov.command("vote")
@click.argument("proposal_id")
@click.argument("support")
@click.option("--reason", default="", help="logged with the vote")
@network_opt
@account_opt
@index_opt
def vote_cmd(proposal_id, support, reason, network, account_alias, account_index):
    """Vote SUPPORT (for, against, abstain) on PROPOSAL_ID with your stake at its snapshot."""
    pid, sup = _parse_id(proposal_id), _wrap(gv.parse_support, support)

    def go(s: GovSession, a):
        weight, receipt = s.vote(pid, sup, reason, a)
        click.echo(f"voted {support.lower()} on {pid} with {_fmt(weight)} AGENT; tx {receipt.txn_hash} "
                   f"(gas {receipt.gas_used})")

    _run(network, account_alias, account_index, go)


@gov.command("activate")
@click.argument("account", required=False)
@network_opt
@account_opt
@index_opt
def activate_cmd(account, network, account_alias, account_index):
    """Activate voting for ACCOUNT (default: yourself): its stake then votes and counts in the quorum.
    Needs its reputation at the voting gate; anyone may send it."""

    def go(s: GovSession, a):
        who = parse_address(account, "account") if account else a.address
        receipt = s.activate_voting(who, a)
        click.echo(f"voting active for {who}; tx {receipt.txn_hash} (gas {receipt.gas_used})")

    _run(network, account_alias, account_index, go)


def _simple(action: str):
    @click.argument("proposal_id")
    @network_opt
    @account_opt
    @index_opt
    def cmd(proposal_id, network, account_alias, account_index):
        pid = _parse_id(proposal_id)

        def go(s: GovSession, a):
            receipt = getattr(s, action)(pid, a)
            extra = f"; executable from {s.governor.proposalEta(pid)} (unix time)" if action == "queue" else ""
            done = {"queue": "queued", "execute": "executed", "cancel": "canceled"}[action]
            click.echo(f"{done} {pid}{extra}; tx {receipt.txn_hash} (gas {receipt.gas_used})")

        _run(network, account_alias, account_index, go)

    cmd.__doc__ = {"queue": "Queue a Succeeded proposal in the Timelock.",
                   "execute": "Execute a Queued proposal once the Timelock delay is over.",
                   "cancel": "Cancel a proposal (proposer while Pending; guardian until executed)."}[action]
    return gov.command(action)(cmd)


_simple("queue")
_simple("execute")
_simple("cancel")


@gov.command("status")
@click.argument("proposal_id")
@network_opt
def status_cmd(proposal_id, network):
    """State, votes, quorum, deadline and eta of PROPOSAL_ID."""
    pid = _parse_id(proposal_id)
    lines = _run(network, None, None, lambda s, _a: s.status_lines(pid), needs_account=False)
    for line in lines:
        click.echo(line)


@gov.command("list")
@network_opt
def list_cmd(network):
    """Every proposal with its state."""
    def go(s: GovSession, _a):
        rows = [(p, gv.STATE_NAMES[s.state(p.id)]) for p in s.proposals()]
        if not rows:
            return ["no proposals yet"]
        return [f"{p.id}  {st:<9} {p.description.splitlines()[0][:60]}" for p, st in rows]

    for line in _run(network, None, None, go, needs_account=False):
        click.echo(line)
