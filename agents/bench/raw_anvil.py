"""Raw anvil throughput: pre-signed ETH transfers sent as fast as one client can.

The baseline for `emergent bench economy`: the economy's transactions per second are compared with
what the same node does with no contract logic, no estimation and no waiting between sends.
All transactions are signed before the clock starts; sending is sequential over one keep-alive HTTP
connection through the same JSON-RPC client the agents use (agents.chain.rpc), then the clock runs
until the last one is mined.

Two modes: automine (a block per transaction, the node's default here) and batched (`batched=True`:
automine off while the transfers are sent, then `anvil_mine` until every one is mined: as many per
block as the block gas limit holds, 1,428 transfers at 30M gas). The clock covers sending and mining.
"""

from __future__ import annotations

import time
from typing import Any

from eth_account import Account
from web3 import Web3


def _web3(url: str) -> Web3:
    from agents.runtime.process import make_web3

    return make_web3(url)


def presign_transfers(web3: Web3, keys: list[str | bytes], n: int, *, value: int = 1) -> list[bytes]:
    """`n` signed ETH transfers round-robin over `keys`, nonces continuing from each key's pending count."""
    if n < 1 or not keys:
        raise ValueError("need n >= 1 and at least one key")
    accounts = [Account.from_key(k) for k in keys]
    chain_id = web3.eth.chain_id
    block = web3.eth.get_block("latest")
    base = block.get("baseFeePerGas")
    nonces: list[int] = [web3.eth.get_transaction_count(a.address, "pending") for a in accounts]
    sink = Account.create().address
    raws = []
    for i in range(n):
        k = i % len(accounts)
        tx: dict[str, Any] = {"to": sink, "value": value, "gas": 21_000, "nonce": nonces[k]}
        tx["chainId"] = chain_id
        if base is not None:
            tx.update(type=2, maxFeePerGas=4 * int(base) + 10**9, maxPriorityFeePerGas=10**9)
        else:
            tx["gasPrice"] = 2 * web3.eth.gas_price
        nonces[k] += 1
        raws.append(bytes(accounts[k].sign_transaction(tx).raw_transaction))
    return raws


def measure_raw_tps(
    node: Web3 | str, keys: list[str | bytes], n: int, *, timeout: float = 120.0, batched: bool = False
) -> dict[str, Any]:
    """Send `n` pre-signed transfers to `node` (a web3 or an RPC URL); sent and mined transactions per second.
    `batched`: automine off while sending, then blocks mined explicitly until all are in (automine is
    restored to what it was).

    Returns {"n", "sent_tps", "mined_tps", "send_seconds", "total_seconds", "blocks", "failed", "mode"}.
    """
    from agents.chain.rpc import rpc_for

    web3 = node if isinstance(node, Web3) else _web3(node)
    client = rpc_for(web3)
    raws = presign_transfers(web3, keys, n)
    start_block = web3.eth.block_number
    automine = bool(client.request("anvil_getAutomine")) if batched else True
    if batched:
        client.request("evm_setAutomine", [False])
    try:
        t0 = time.perf_counter()
        hashes = [client.request("eth_sendRawTransaction", ["0x" + raw.hex()]) for raw in raws]
        t_sent = time.perf_counter()
        deadline = t_sent + timeout
        # A key's transactions are mined in nonce order: once each key's last hash has a receipt, all are
        # mined.
        last_per_key = {hashes[i] for i in range(max(0, n - len(keys)), n)}
        waiting = set(last_per_key)
        while waiting:
            if batched:
                client.request("anvil_mine", ["0x1"])
            for h in list(waiting):
                if client.request("eth_getTransactionReceipt", [h]) is not None:
                    waiting.discard(h)
            if waiting:
                if time.perf_counter() > deadline:
                    raise TimeoutError(f"transfers not mined within {timeout}s")
                if not batched:
                    time.sleep(0.005)
        t_mined = time.perf_counter()
    finally:
        if batched:
            client.request("evm_setAutomine", [automine])
    receipts = [web3.eth.get_transaction_receipt(h) for h in hashes]  # statuses, outside the timing
    last_block = max(int(r["blockNumber"]) for r in receipts)
    send_s = t_sent - t0
    total_s = t_mined - t0
    return {
        "n": n,
        "sent_tps": n / send_s if send_s > 0 else float("inf"),
        "mined_tps": n / total_s if total_s > 0 else float("inf"),
        "send_seconds": send_s,
        "total_seconds": total_s,
        "blocks": last_block - start_block,
        "failed": sum(1 for r in receipts if int(r["status"]) != 1),
        "mode": "batch" if batched else "auto",
    }
