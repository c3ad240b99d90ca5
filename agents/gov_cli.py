"""`emergent gov`: propose, vote, queue, execute, cancel, inspect governance proposals.

Every command checks its input and the chain state first (parameter known? value within the on-chain
bounds? proposal known and in the right state? caller eligible at the snapshot?) and sends nothing
when a check fails: the user gets one `Error: ...` line and exit code 2. The checks live in
`GovSession` (usable without click, e.g. by tests and agents); proposal encoding lives in the pure
module `agents.chain.governance`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, TypeVar, TypeVarTuple, overload

import click

from agents.chain import governance as gv
from agents.chain.protocol import ProposalState
from agents.cli_common import (
    InputError,
    LeanSender,
    OneLineErrors,
    RuntimeFailure,
    lean_send,
    load_chain_deployment,
    network_options,
    parse_address,
    sender_key,
)

T = TypeVar("T")
Ts = TypeVarTuple("Ts")
ProposalArgs = tuple[list[str], list[int], list[bytes], str]  # gv.proposal_args: the Governor's propose()

GAS_MARGIN_NUM, GAS_MARGIN_DEN, GAS_MARGIN_ADD = 13, 10, 30_000  # estimate * 1.3 + 30k (TOOLCHAIN.md)
MAX_REASON = 1_024  # Governor.MAX_REASON: bytes of a vote reason
SHORT_ID_DIGITS = (
    8  # hex digits of a short proposal id (0x + 8): shown by `gov list`/`status`, accepted as input
)
CONTRACT_OF = {
    "Governor": "Governor",
    "Timelock": "Timelock",
    "Staking": "Staking",
    "ServiceEscrow": "ServiceEscrow",
    "Reputation": "Reputation",
}


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
    def args(self) -> tuple[list[str], list[int], list[bytes], bytes]:
        return (self.targets, self.values, self.calldatas, gv.description_hash(self.description))


def short_id(proposal_id: int) -> str:
    """The first 8 hex digits of the 256-bit id, e.g. 0x3f2a9c1d (unique among a chain's proposals)."""
    return "0x" + f"{proposal_id:064x}"[:SHORT_ID_DIGITS]


@dataclass
class LeanReceipt:
    txn_hash: str
    gas_used: int
    block: int


class GovSession:
    """Contract handles of one deployment plus the checks every command runs before sending.

    The handles are ape contracts (tests, scripts) or `agents.cli_common.LeanContract`s (the CLI: reads
    over the lean JSON-RPC client, sends signed by TxSender); the checks are the same for both.
    """

    def __init__(self, contracts: dict[str, Any], deploy_block: int = 0):
        self.c = contracts
        self.deploy_block = deploy_block
        missing = [n for n in ("Governor", "Timelock") if n not in contracts]
        if missing:
            raise click.ClickException(f"the deployment has no {', '.join(missing)}: deploy governance first")
        self.governor = contracts["Governor"]
        self.timelock = contracts["Timelock"]

    # --- chain helpers ---------------------------------------------------------------------------

    @property
    def lean(self) -> bool:
        return bool(getattr(self.governor, "lean", False))

    def head(self) -> int:
        height: int
        if self.lean:
            height = self.governor.reader.head()
            return height
        from ape import chain

        height = chain.blocks.height
        return height

    def head_timestamp(self) -> int:
        if self.lean:
            return int(self.governor.reader.block()["timestamp"], 16)
        from ape import chain

        timestamp: int = chain.blocks.head.timestamp
        return timestamp

    def resolve_id(self, raw: int | str) -> int:
        """A full id, or a short id (0x + fewer than 64 hex digits) matched as a prefix of one proposal."""
        if isinstance(raw, int):
            return raw
        prefix = raw.lower().removeprefix("0x")
        matches = [p.id for p in self.proposals() if f"{p.id:064x}".startswith(prefix)]
        if not matches:
            raise InputError(f"no proposal id starts with 0x{prefix} (`emergent gov list` shows them)")
        if len(matches) > 1:
            raise InputError(f"0x{prefix} matches {len(matches)} proposals: give more digits")
        return matches[0]

    def proposal(self, proposal_id: int) -> ProposalInfo:
        if self.governor.proposalSnapshot(proposal_id) == 0:
            raise InputError(f"unknown proposal {proposal_id}")
        for info in self.proposals():
            if info.id == proposal_id:
                return info
        raise InputError(f"proposal {proposal_id} exists but its ProposalCreated event was not found")

    def proposals(self) -> list[ProposalInfo]:
        out = []
        if self.lean:
            for a in self.governor.events("ProposalCreated", self.deploy_block):
                out.append(
                    ProposalInfo(
                        id=int(a["proposalId"]),
                        proposer=a["proposer"],
                        targets=list(a["targets"]),
                        values=list(a["values"]),
                        calldatas=[bytes.fromhex(c[2:]) for c in a["calldatas"]],
                        description=a["description"],
                        vote_start=int(a["voteStart"]),
                        vote_end=int(a["voteEnd"]),
                    )
                )
            return out
        for log in self.governor.ProposalCreated.range(self.deploy_block, self.head() + 1):
            out.append(
                ProposalInfo(
                    id=log.proposalId,
                    proposer=log.proposer,
                    targets=list(log.targets),
                    values=list(log.values),
                    calldatas=[bytes(c) for c in log.calldatas],
                    description=log.description,
                    vote_start=log.voteStart,
                    vote_end=log.voteEnd,
                )
            )
        return out

    def state(self, proposal_id: int) -> int:
        st: int = self.governor.state(proposal_id)
        return st

    def _require_state(self, proposal_id: int, wanted: tuple[int, ...], action: str) -> int:
        st = self.state(proposal_id)
        if st not in wanted:
            names = " or ".join(ProposalState(w).label for w in wanted)
            raise InputError(
                f"cannot {action} proposal {proposal_id}: it is {ProposalState(st).label}, not {names}"
            )
        return st

    @staticmethod
    def send(method: Any, *args: Any, sender: Any) -> Any:
        """Estimate, add a margin (checkpoint writes under-estimate at 'latest'), send (waits for
        inclusion)."""
        if getattr(method, "lean", False):
            call = method.encode(*args)
            reader = method.contract.reader
            estimate = reader.simulate(sender.address, call)  # at "pending"; a revert -> InputError
            gas = estimate * GAS_MARGIN_NUM // GAS_MARGIN_DEN + GAS_MARGIN_ADD
            result = lean_send(reader.url, sender.key, call, gas)
            return LeanReceipt(result.tx_hash, result.gas_used, result.block)
        from ape import chain
        from ape.exceptions import ContractLogicError

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

    def check_can_propose(self, proposer: str, args: ProposalArgs) -> int:
        """The proposal floor as the Governor reads it (values at the end of the current head block)."""
        staking, reputation = self.c["Staking"], self.c["Reputation"]
        stake, rep = staking.getVotes(proposer), reputation.reputationOf(proposer)
        need_stake, need_rep = self.governor.proposalThreshold(), self.governor.proposalReputationThreshold()
        if stake < need_stake:
            hint = ""
            if not staking.votingActive(proposer) and staking.bondedOf(proposer) >= need_stake:
                hint = " (its stake does not vote until Staking.activateVoting; the reputation gate applies)"
            raise InputError(
                f"{proposer} cannot propose: voting stake {_fmt(stake)} AGENT < threshold "
                f"{_fmt(need_stake)}{hint}"
            )
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
        opens_next_block = st == ProposalState.PENDING and info_snapshot <= head
        if (
            not (st == ProposalState.ACTIVE or opens_next_block)
            or self.governor.proposalDeadline(proposal_id) <= head
        ):
            raise InputError(
                f"cannot vote on proposal {proposal_id}: it is {ProposalState(st).label}"
                + (f" (voting opens after block {info_snapshot})" if st == ProposalState.PENDING else "")
            )
        if self.governor.hasVoted(proposal_id, voter):
            raise InputError(f"{voter} has already voted on proposal {proposal_id}")
        staking, reputation = self.c["Staking"], self.c["Reputation"]
        weight: int
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
        check_reason(reason)
        weight = self.check_can_vote(proposal_id, sender.address)
        if reason:
            receipt = self.send(self.governor.castVoteWithReason, proposal_id, support, reason, sender=sender)
        else:
            receipt = self.send(self.governor.castVote, proposal_id, support, sender=sender)
        return weight, receipt

    def queue(self, proposal_id: int, sender: Any) -> Any:
        info = self.proposal(proposal_id)
        self._require_state(proposal_id, (ProposalState.SUCCEEDED,), "queue")
        return self.send(self.governor.queue, *info.args, sender=sender)

    def execute(self, proposal_id: int, sender: Any) -> Any:
        info = self.proposal(proposal_id)
        self._require_state(proposal_id, (ProposalState.QUEUED,), "execute")
        eta = self.governor.proposalEta(proposal_id)
        now = self.head_timestamp()
        if now < eta:
            raise InputError(
                f"cannot execute proposal {proposal_id} yet: the Timelock delay ends in {eta - now} s"
            )
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
            if st in (ProposalState.CANCELED, ProposalState.EXPIRED, ProposalState.EXECUTED):
                raise InputError(f"cannot cancel proposal {proposal_id}: it is {ProposalState(st).label}")
            if self.governor.proposalGuardianProof(proposal_id):
                raise InputError(
                    f"the guardian cannot cancel proposal {proposal_id}: it only removes cancel powers"
                )
        elif sender.address == info.proposer:
            if st != ProposalState.PENDING:
                raise InputError(
                    f"cannot cancel proposal {proposal_id}: it is {ProposalState(st).label}; "
                    "the proposer may cancel only while Pending"
                )
        else:
            raise InputError(
                f"{sender.address} may not cancel proposal {proposal_id} (proposer or guardian only)"
            )
        return self.send(self.governor.cancel, *info.args, sender=sender)

    def block_seconds(self, head: int) -> float:
        """Seconds per block over the last 20 blocks (at least 1; the devnet mines one a second when idle)."""
        if head < 1:
            return 1.0
        back = max(0, head - 20)
        if self.lean:
            r = self.governor.reader
            t1, t0 = (int(r.block(n)["timestamp"], 16) for n in (head, back))
        else:
            from ape import chain

            t1, t0 = chain.blocks[head].timestamp, chain.blocks[back].timestamp
        return max(1.0, (t1 - t0) / max(1, head - back))

    def status(self, proposal_id: int) -> dict[str, Any]:
        """Everything `gov status` shows, as plain data (`--json` prints it as is)."""
        info = self.proposal(proposal_id)
        g = self.governor
        st = self.state(proposal_id)
        against, for_, abstain = g.proposalVotes(proposal_id)
        snapshot, deadline, head = (
            g.proposalSnapshot(proposal_id),
            g.proposalDeadline(proposal_id),
            self.head(),
        )
        quorum = g.proposalQuorum(proposal_id) if snapshot < head else None
        eta = g.proposalEta(proposal_id)
        now = self.head_timestamp()
        per_block = self.block_seconds(head)
        return {
            "id": str(proposal_id),
            "short_id": short_id(proposal_id),
            "state": ProposalState(st).label,
            "proposer": info.proposer,
            "description": info.description,
            "votes_wei": {"for": str(for_), "against": str(against), "abstain": str(abstain)},
            "quorum_wei": None if quorum is None else str(quorum),
            "snapshot_block": snapshot,
            "deadline_block": deadline,
            "head_block": head,
            "blocks_to_open": max(0, snapshot + 1 - head) if st == ProposalState.PENDING else 0,
            "blocks_left": max(0, deadline - head)
            if st in (ProposalState.PENDING, ProposalState.ACTIVE)
            else 0,
            "seconds_per_block": round(per_block, 2),
            "eta": eta or None,
            "eta_in_seconds": (eta - now) if eta else None,
            "actions": len(info.targets),
        }

    def status_lines(self, proposal_id: int) -> list[str]:
        d = self.status(proposal_id)
        quorum = f"{_fmt(int(d['quorum_wei']))} AGENT" if d["quorum_wei"] else "known after the snapshot"
        v = d["votes_wei"]
        spb = d["seconds_per_block"]
        if d["state"] == "Pending":
            timing = (
                f"voting opens in {d['blocks_to_open']} blocks (~{_duration(d['blocks_to_open'] * spb)}), "
                f"closes in {d['blocks_left']} blocks (~{_duration(d['blocks_left'] * spb)})"
            )
        elif d["state"] == "Active":
            timing = f"voting closes in {d['blocks_left']} blocks (~{_duration(d['blocks_left'] * spb)})"
        else:
            timing = "voting closed"
        if d["eta"]:
            import datetime as dt

            when = dt.datetime.fromtimestamp(d["eta"], dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            left = d["eta_in_seconds"]
            eta = f"{when} ({'in ' + _duration(left) if left > 0 else 'executable now'})"
        else:
            eta = "not queued"
        return [
            f"proposal {d['short_id']}  ({d['id']})",
            f"  state     {d['state']}",
            f"  proposer  {d['proposer']}",
            f"  votes     for {_fmt(int(v['for']))}  against {_fmt(int(v['against']))}  "
            f"abstain {_fmt(int(v['abstain']))}",
            f"  quorum    {quorum} (for + abstain)",
            f"  time      {timing}",
            f"  blocks    snapshot {d['snapshot_block']}; deadline {d['deadline_block']} "
            f"(head {d['head_block']})",
            f"  eta       {eta}",
            f"  actions   {d['actions']}; description: {d['description'].splitlines()[0][:80]}",
        ]


def _duration(seconds: float) -> str:
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def check_reason(reason: str) -> None:
    size = len(reason.encode())
    if size > MAX_REASON:
        raise InputError(
            f"--reason is {size:,} bytes; the Governor takes at most {MAX_REASON:,} bytes (MAX_REASON)"
        )


# --- click ---------------------------------------------------------------------------------------

account_opt = click.option(
    "--account",
    "account_alias",
    default=None,
    help="ape account alias (its keyfile; passphrase from APE_ACCOUNTS_<ALIAS>_PASSPHRASE "
    "or a prompt); required off local networks",
)
index_opt = click.option(
    "--account-index",
    default=None,
    type=click.IntRange(0, 10_000),
    help="local test account index (default 0; founders are 6, 7, 8)",
)
json_opt = click.option("--json", "as_json", is_flag=True, help="print JSON (amounts in wei, as strings)")


def _parse_id(raw: str) -> int | str:
    """A full id (decimal or 64-digit hex) as an int, or a short id (0x + 1..63 hex digits) as a string
    resolved against the chain's proposals."""
    text = str(raw).strip()
    if (
        text.lower().startswith("0x")
        and 0 < len(text) - 2 < 64
        and all(c in "0123456789abcdefABCDEF" for c in text[2:])
    ):
        return text.lower()
    try:
        return gv.parse_proposal_id(raw)
    except gv.GovernanceInputError as exc:
        raise InputError(str(exc)) from None


def open_session(deployment: dict[str, Any]) -> GovSession:
    """Contract handles for a deployment (inside an ape connection)."""
    from ape import Contract, chain, project

    contracts = {}
    for name, addr in deployment["contracts"].items():
        if name in ("AgentToken", *CONTRACT_OF):
            if not chain.provider.get_code(addr):
                raise click.ClickException(f"no contract at {name} {addr}: the deployment file is stale")
            contracts[name] = Contract(addr, contract_type=project.get_contract(name).contract_type)
    return GovSession(contracts, int(deployment.get("block", 0)))


def open_lean_session(network: str, rpc: str | None) -> GovSession:
    """Contract handles over the lean JSON-RPC client (no ape) for the chain at --rpc."""
    reader, deployment, _ = load_chain_deployment(network, rpc)
    contracts = {
        name: reader.contract(name, addr)
        for name, addr in deployment["contracts"].items()
        if name in ("AgentToken", *CONTRACT_OF)
    }
    return GovSession(contracts, int(deployment.get("block", 0)))


@overload
def _run(
    network: str,
    rpc: str | None,
    account_alias: str | None,
    account_index: int | None,
    fn: Callable[[GovSession, LeanSender], T],
    needs_account: Literal[True] = True,
) -> T: ...


@overload
def _run(
    network: str,
    rpc: str | None,
    account_alias: str | None,
    account_index: int | None,
    fn: Callable[[GovSession, None], T],
    needs_account: Literal[False],
) -> T: ...


def _run(
    network: str,
    rpc: str | None,
    account_alias: str | None,
    account_index: int | None,
    fn: Callable[[GovSession, Any], T],
    needs_account: bool = True,
) -> T:
    """Run fn(session, sender); the sender is None when needs_account is False."""
    if account_alias and account_index is not None:
        raise InputError("give only one of --account, --account-index")
    sender = LeanSender(sender_key(network, account_alias, account_index)) if needs_account else None
    session = open_lean_session(network, rpc)
    return fn(session, sender)


class _GovGroup(OneLineErrors, click.Group):
    """`ape run gov ...` enters here: the same one-line errors as `emergent gov`."""


@click.group(cls=_GovGroup)
def gov() -> None:
    """Governance: proposals, votes, the Timelock.

    Proposal ids can be given in full or by their short form (0x + the first 8 hex digits) as
    `gov list` prints them."""


@gov.group()
def propose() -> None:
    """Create a proposal (parameter change, treasury grant, mint, guardian)."""


def _propose_cmd(
    build: Callable[[GovSession], list[gv.Action]],
) -> Callable[[GovSession, LeanSender, str], None]:
    def _inner(session: GovSession, sender: LeanSender, description: str) -> None:
        actions = build(session)
        pid, receipt = session.propose(actions, description, sender)
        snap = session.governor.proposalSnapshot(pid)
        click.echo(f"proposed {short_id(pid)}  ({pid})")
        for a in actions:
            click.echo(f"  - {a.summary}")
        click.echo(
            f"  voting opens after block {snap}, closes at block {session.governor.proposalDeadline(pid)}; "
            f"tx {receipt.txn_hash} (gas {receipt.gas_used})"
        )

    return _inner


description_opt = click.option(
    "--description",
    default=None,
    help=f"free text, at most {gv.MAX_DESCRIPTION:,} bytes (default: generated)",
)


@propose.command("param")
@click.argument("name")
@click.argument("value")
@description_opt
@network_options
@account_opt
@index_opt
def propose_param(
    name: str,
    value: str,
    description: str | None,
    network: str,
    rpc: str | None,
    account_alias: str | None,
    account_index: int | None,
) -> None:
    """Change parameter NAME to VALUE (tokens in whole AGENT). `emergent gov params` lists them."""
    try:
        spec = gv.lookup_parameter(name)
        parsed = gv.parse_value(spec, value)
    except gv.GovernanceInputError as exc:
        raise InputError(str(exc)) from None
    text = description or f"Set {spec.name} to {gv.format_value(spec, parsed)}"
    _run(
        network,
        rpc,
        account_alias,
        account_index,
        lambda s, a: _propose_cmd(lambda ss: _wrap(ss.param_actions, name, value))(s, a, text),
    )


@propose.command("grant")
@click.option("--to", "to", required=True, metavar="0x...", help="recipient address")
@click.option("--amount", required=True, help="whole AGENT from the treasury")
@description_opt
@network_options
@account_opt
@index_opt
def propose_grant(
    to: str,
    amount: str,
    description: str | None,
    network: str,
    rpc: str | None,
    account_alias: str | None,
    account_index: int | None,
) -> None:
    """Pay AMOUNT AGENT from the treasury (the Timelock) to TO."""
    recipient = parse_address(to, "--to")
    wei = _wrap(gv.parse_tokens, amount, "--amount")
    text = description or f"Treasury grant of {amount} AGENT to {recipient}"
    _run(
        network,
        rpc,
        account_alias,
        account_index,
        lambda s, a: _propose_cmd(lambda ss: _wrap(ss.grant_actions, recipient, wei))(s, a, text),
    )


@propose.command("mint")
@click.option("--to", "to", required=True, metavar="0x...", help="recipient address")
@click.option("--amount", required=True, help="whole AGENT, within the cap")
@description_opt
@network_options
@account_opt
@index_opt
def propose_mint(
    to: str,
    amount: str,
    description: str | None,
    network: str,
    rpc: str | None,
    account_alias: str | None,
    account_index: int | None,
) -> None:
    """Mint AMOUNT new AGENT to TO (within the supply cap)."""
    recipient = parse_address(to, "--to")
    wei = _wrap(gv.parse_tokens, amount, "--amount")
    text = description or f"Mint {amount} AGENT to {recipient}"
    _run(
        network,
        rpc,
        account_alias,
        account_index,
        lambda s, a: _propose_cmd(lambda ss: _wrap(ss.mint_actions, recipient, wei))(s, a, text),
    )


@propose.command("guardian")
@click.argument("new_guardian")
@description_opt
@network_options
@account_opt
@index_opt
def propose_guardian(
    new_guardian: str,
    description: str | None,
    network: str,
    rpc: str | None,
    account_alias: str | None,
    account_index: int | None,
) -> None:
    """Appoint NEW_GUARDIAN (an address, or `none`) as the guardian who may cancel proposals."""
    new = gv.ZERO_ADDRESS if new_guardian.lower() == "none" else parse_address(new_guardian, "guardian")
    text = description or f"Appoint {new} as guardian"
    _run(
        network,
        rpc,
        account_alias,
        account_index,
        lambda s, a: _propose_cmd(lambda ss: ss.guardian_actions(new))(s, a, text),
    )


def _wrap(fn: Callable[[*Ts], T], *args: *Ts) -> T:
    try:
        return fn(*args)
    except gv.GovernanceInputError as exc:
        raise InputError(str(exc)) from None


@gov.command("params")
@network_options
@json_opt
def params_cmd(network: str, rpc: str | None, as_json: bool) -> None:
    """The parameters governance can change: current value and on-chain bounds (read from the chain;
    without a devnet, only names, units and meaning)."""
    session, note = None, None
    try:
        session = open_lean_session(network, rpc)
    except RuntimeFailure as exc:
        note = f"(current values and bounds need the chain: {exc.format_message()})"
    rows = []
    values: dict[tuple[str, str], int] = {}
    if session is not None:  # every getter and bound in one batch per contract
        wanted: dict[str, list[str]] = {}
        for spec in gv.PARAMETERS.values():
            if spec.contract in session.c:
                wanted.setdefault(spec.contract, []).extend(
                    [spec.getter] + [b for b in (spec.lower, spec.upper) if isinstance(b, str)]
                )
        for name, fns in wanted.items():
            fns = list(dict.fromkeys(fns))
            for fn, v in zip(fns, session.c[name].many([(fn, ()) for fn in fns]), strict=True):
                values[(name, fn)] = v
    for spec in gv.PARAMETERS.values():
        row: dict[str, Any] = {
            "name": spec.name,
            "unit": spec.unit,
            "help": spec.help,
            "current": None,
            "lower": None,
            "upper": None,
        }
        if (spec.contract, spec.getter) in values:
            row["current"] = values[(spec.contract, spec.getter)]
            row["lower"], row["upper"] = (
                b if isinstance(b, int) else values[(spec.contract, b)] for b in (spec.lower, spec.upper)
            )
        rows.append((spec, row))
    if as_json:
        click.echo(
            json.dumps(
                [
                    {k: (str(v) if isinstance(v, int) and v > 2**53 else v) for k, v in r.items()}
                    for _, r in rows
                ],
                indent=2,
            )
        )
        return
    for spec, r in rows:
        if r["current"] is None:
            click.echo(f"{spec.name:<34} {spec.unit:<10} {spec.help}")
            continue
        cur = gv.format_value(spec, r["current"])
        bounds = f"[{gv.format_value(spec, r['lower'])}, {gv.format_value(spec, r['upper'])}]"
        click.echo(f"{spec.name:<38} {cur:>17}  bounds {bounds:<36} {spec.help}")
    if note:
        click.echo(note)


@gov.command("vote")
@click.argument("proposal_id")
@click.argument("support")
@click.option("--reason", default="", help=f"logged with the vote, at most {MAX_REASON:,} bytes")
@click.option(
    "--wait",
    "wait",
    is_flag=True,
    help="if voting has not opened yet, wait (printing the blocks left) until the proposal is Active",
)
@network_options
@account_opt
@index_opt
def vote_cmd(
    proposal_id: str,
    support: str,
    reason: str,
    wait: bool,
    network: str,
    rpc: str | None,
    account_alias: str | None,
    account_index: int | None,
) -> None:
    """Vote SUPPORT (for, against, abstain) on PROPOSAL_ID with your stake at its snapshot."""
    raw_id, sup = _parse_id(proposal_id), _wrap(gv.parse_support, support)
    check_reason(reason)

    def go(s: GovSession, a: LeanSender) -> None:
        pid = s.resolve_id(raw_id)
        if wait:
            _wait_active(s, pid)
        weight, receipt = s.vote(pid, sup, reason, a)
        click.echo(
            f"voted {support.lower()} on {short_id(pid)} with {_fmt(weight)} AGENT; tx {receipt.txn_hash} "
            f"(gas {receipt.gas_used})"
        )

    _run(network, rpc, account_alias, account_index, go)


def _wait_active(s: GovSession, pid: int, poll: float = 0.5) -> None:
    import time

    if s.governor.proposalSnapshot(pid) == 0:
        raise InputError(f"unknown proposal {pid}")
    shown = None
    while s.state(pid) == ProposalState.PENDING:
        snapshot, head = s.governor.proposalSnapshot(pid), s.head()
        if snapshot <= head:  # opens in the next block, which the vote itself mines
            return
        if shown != head:
            click.echo(f"waiting for voting to open after block {snapshot} (head {head})", err=True)
            shown = head
        time.sleep(poll)


@gov.command("activate")
@click.argument("account", required=False)
@network_options
@account_opt
@index_opt
def activate_cmd(
    account: str | None, network: str, rpc: str | None, account_alias: str | None, account_index: int | None
) -> None:
    """Activate voting for ACCOUNT (default: yourself): its stake then votes and counts in the quorum.
    Needs its reputation at the voting gate; anyone may send it."""

    def go(s: GovSession, a: LeanSender) -> None:
        who = parse_address(account, "account") if account else a.address
        receipt = s.activate_voting(who, a)
        click.echo(f"voting active for {who}; tx {receipt.txn_hash} (gas {receipt.gas_used})")

    _run(network, rpc, account_alias, account_index, go)


def _simple(action: str) -> click.Command:
    @click.argument("proposal_id")
    @network_options
    @account_opt
    @index_opt
    def cmd(
        proposal_id: str, network: str, rpc: str | None, account_alias: str | None, account_index: int | None
    ) -> None:
        raw_id = _parse_id(proposal_id)

        def go(s: GovSession, a: LeanSender) -> None:
            pid = s.resolve_id(raw_id)
            receipt = getattr(s, action)(pid, a)
            extra = ""
            if action == "queue":
                import datetime as dt

                eta = s.governor.proposalEta(pid)
                extra = f"; executable from {dt.datetime.fromtimestamp(eta, dt.UTC):%Y-%m-%d %H:%M:%S} UTC"
            done = {"queue": "queued", "execute": "executed", "cancel": "canceled"}[action]
            click.echo(f"{done} {short_id(pid)}{extra}; tx {receipt.txn_hash} (gas {receipt.gas_used})")

        _run(network, rpc, account_alias, account_index, go)

    cmd.__doc__ = {
        "queue": "Queue a Succeeded proposal in the Timelock.",
        "execute": "Execute a Queued proposal once the Timelock delay is over.",
        "cancel": "Cancel a proposal (proposer while Pending; guardian until executed).",
    }[action]
    return gov.command(action)(cmd)


_simple("queue")
_simple("execute")
_simple("cancel")


@gov.command("status")
@click.argument("proposal_id")
@network_options
@json_opt
def status_cmd(proposal_id: str, network: str, rpc: str | None, as_json: bool) -> None:
    """State, votes, quorum, time left, deadline and eta of PROPOSAL_ID."""
    raw_id = _parse_id(proposal_id)

    def go(s: GovSession, _a: None) -> dict[str, Any] | list[str]:
        pid = s.resolve_id(raw_id)
        return s.status(pid) if as_json else s.status_lines(pid)

    out = _run(network, rpc, None, None, go, needs_account=False)
    if as_json:
        click.echo(json.dumps(out, indent=2))
        return
    for line in out:
        click.echo(line)


@gov.command("list")
@network_options
@json_opt
def list_cmd(network: str, rpc: str | None, as_json: bool) -> None:
    """Every proposal with its short id, state and description."""

    def go(s: GovSession, _a: None) -> list[dict[str, str]]:
        return [
            {
                "id": str(p.id),
                "short_id": short_id(p.id),
                "state": ProposalState(s.state(p.id)).label,
                "proposer": p.proposer,
                "description": p.description,
            }
            for p in s.proposals()
        ]

    rows = _run(network, rpc, None, None, go, needs_account=False)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("no proposals yet")
    for r in rows:
        click.echo(f"{r['short_id']}  {r['state']:<9} {r['description'].splitlines()[0][:70]}")
