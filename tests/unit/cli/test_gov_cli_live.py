"""`emergent gov` against a real devnet (started by `emergent devnet`): a refused vote sends nothing (no
new block), proposals have short ids accepted as input, `--json` output, `gov params` with current values
and on-chain bounds, `vote --wait` waits for the proposal to become Active."""

import json
import subprocess
import time

from cli_devnet import EMERGENT

FOUNDER = "0x976EA74026E726554dB657fA54763abd0C3a0aa9"  # account 6


def _propose(devnet, value: str) -> dict:
    r = devnet.cli("gov", "propose", "param", "escrow.feeBps", value, "--account-index", "6")
    assert r.code == 0, r.lines
    rows = json.loads(devnet.cli("gov", "list", "--json").stdout)
    [row] = [x for x in rows if x["description"] == f"Set escrow.feeBps to {value} bps"]
    assert r.lines[0] == f"proposed {row['short_id']}  ({row['id']})"
    return row


def test_gov_params__current_value_and_onchain_bounds(devnet):
    r = devnet.cli("gov", "params", "--json")
    rows = {p["name"]: p for p in json.loads(r.stdout)}
    assert rows["governor.votingPeriod"]["current"] == 300  # the devnet's 5 minutes at a block a second
    assert (rows["governor.votingPeriod"]["lower"], rows["governor.votingPeriod"]["upper"]) == (10, 201_600)
    assert (rows["escrow.feeBps"]["current"], rows["escrow.feeBps"]["upper"]) == (100, 1000)
    text = devnet.cli("gov", "params").stdout
    assert "escrow.feeBps" in text and "100 bps  bounds [0 bps, 1000 bps]" in text


def test_vote__reason_over_limit__one_line_exit_2_no_block(devnet):
    row = _propose(devnet, "150")
    head, nonce = devnet.head(), devnet.nonce(FOUNDER)
    r = devnet.cli("gov", "vote", row["short_id"], "for", "--account-index", "6", "--reason", "é" * 513)
    assert r.code == 2 and r.lines == [
        "Error: --reason is 1,026 bytes; the Governor takes at most 1,024 bytes (MAX_REASON)"
    ]
    assert devnet.head() == head and devnet.nonce(FOUNDER) == nonce


def test_vote__before_voting_opens__refused_without_block_then_wait_votes_once_active(devnet):
    row = _propose(devnet, "175")
    head = devnet.head()
    r = devnet.cli("gov", "vote", row["short_id"], "for", "--account-index", "7")
    assert r.code == 2 and "it is Pending (voting opens after block" in r.lines[0] and len(r.lines) == 1
    assert devnet.head() == head
    proc = subprocess.Popen(
        [
            *EMERGENT,
            "gov",
            "vote",
            row["short_id"],
            "for",
            "--account-index",
            "7",
            "--wait",
            "--rpc",
            devnet.url,
        ],
        env=devnet.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)
    assert proc.poll() is None, "voted before the proposal could be Active"
    devnet.mine(1)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err
    assert "waiting for voting to open after block" in err
    assert out.startswith(f"voted for on {row['short_id']} with 5,000.0000 AGENT; tx 0x")


def test_status__json_and_text_show_time_left_and_short_id(devnet):
    row = _propose(devnet, "125")
    devnet.mine(2)
    d = json.loads(devnet.cli("gov", "status", row["short_id"], "--json").stdout)
    assert d["id"] == row["id"] and d["short_id"] == row["short_id"] and d["state"] == "Active"
    assert d["blocks_left"] == d["deadline_block"] - d["head_block"] > 0
    lines = devnet.cli("gov", "status", row["id"]).stdout.splitlines()
    assert lines[0] == f"proposal {row['short_id']}  ({row['id']})"
    assert any(line.strip().startswith("time      voting closes in") for line in lines)
    assert any(line.strip() == "eta       not queued" for line in lines)


def test_unknown_short_id__one_line_exit_2(devnet):
    r = devnet.cli("gov", "status", "0xffffffff")
    assert r.code == 2 and r.lines == [
        "Error: no proposal id starts with 0xffffffff (`emergent gov list` shows them)"
    ]


def test_propose__refused_by_chain_checks__one_line_exit_2_no_block(devnet):
    cases = [
        (
            ["param", "escrow.feeBps", "5000", "--account-index", "6"],
            "escrow.feeBps must be within [0 bps, 1000 bps]",
        ),
        (["param", "escrow.feeBps", "100", "--account-index", "6"], "escrow.feeBps is already 100 bps"),
        (
            ["param", "escrow.feeBps", "300", "--account-index", "2"],
            "cannot propose: voting stake 0.0000 AGENT < threshold",
        ),
        (
            ["grant", "--to", FOUNDER, "--amount", "1", "--account-index", "6"],
            "the treasury (Timelock) holds",
        ),
    ]
    for args, message in cases:
        head = devnet.head()
        r = devnet.cli("gov", "propose", *args)
        assert r.code == 2 and len(r.lines) == 1 and message in r.lines[0], (args, r.lines)
        assert devnet.head() == head, f"a block was mined for {args}"
