"""Raw anvil baseline: every pre-signed transfer is mined and the rates are consistent."""

from agents.bench.raw_anvil import measure_raw_tps


def test_measure_raw_tps__all_mined(w3, accounts, key_of):
    keys = [key_of(a) for a in list(accounts)[6:9]]
    result = measure_raw_tps(w3, keys, 60)
    assert result["n"] == 60 and result["failed"] == 0
    assert result["blocks"] >= 1
    assert result["sent_tps"] > 0 and result["mined_tps"] > 0
    assert result["total_seconds"] >= result["send_seconds"]
    print(f"\nraw anvil: {result['sent_tps']:.0f} tx/s sent, {result['mined_tps']:.0f} tx/s mined")


def test_measure_raw_tps__batched__all_mined_in_few_blocks_and_automine_restored(w3, accounts, key_of):
    from agents.chain.rpc import rpc_for

    keys = [key_of(a) for a in list(accounts)[6:9]]
    result = measure_raw_tps(w3, keys, 60, batched=True)
    assert result["n"] == 60 and result["failed"] == 0 and result["mode"] == "batch"
    assert 1 <= result["blocks"] <= 2  # 60 transfers x 21,000 gas fit in one block
    assert rpc_for(w3).request("anvil_getAutomine") is True
    print(f"\nraw anvil, batched: {result['mined_tps']:.0f} tx/s mined in {result['blocks']} blocks")
