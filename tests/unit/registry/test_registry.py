"""AgentRegistry: ERC-8004-style identity, wallet consent, one registration per wallet, updates."""

import ape

from tests.fixtures.market import WEI
from tests.fixtures.reverts import reverts_without_reason

ZERO = "0x" + "00" * 20


def test_register__self_owned__records_everything(registry, alice):
    tx = registry.register(
        alice, "ipfs://card", [("summarise", 10 * WEI), ("translate", 20 * WEI)], sender=alice
    )
    agent_id = tx.return_value
    assert agent_id == registry.agentCount()
    assert registry.ownerOf(agent_id) == alice.address
    assert registry.walletOf(agent_id) == alice.address
    assert registry.agentIdOf(alice) == agent_id
    assert registry.agentURI(agent_id) == "ipfs://card"
    assert registry.isActive(alice)
    services = registry.servicesOf(agent_id)
    assert [(s.name, s.price) for s in services] == [("summarise", 10 * WEI), ("translate", 20 * WEI)]
    (ev,) = tx.decode_logs(registry.Registered)
    assert (ev.agentId, ev.agentURI, ev.owner, ev.agentWallet) == (
        agent_id,
        "ipfs://card",
        alice.address,
        alice.address,
    )
    assert len(tx.decode_logs(registry.ServicesUpdated)) == 1


def test_register__for_consenting_wallet(registry, alice, bob):
    with ape.reverts("AgentRegistry: wallet did not approve owner"):
        registry.register(bob, "ipfs://b", [], sender=alice)
    tx = registry.approveOwner(alice, sender=bob)
    assert tx.decode_logs(registry.OwnerApproved)[0].owner == alice.address
    agent_id = registry.register(bob, "ipfs://b", [], sender=alice).return_value
    assert registry.ownerOf(agent_id) == alice.address and registry.walletOf(agent_id) == bob.address
    assert registry.approvedOwnerOf(bob) == ZERO  # consent is used up


def test_register__duplicate_wallet__reverts(registry, register_agent, alice):
    register_agent(alice)
    with ape.reverts("AgentRegistry: wallet already registered"):
        registry.register(alice, "ipfs://again", [], sender=alice)


def test_register__bad_input__reverts(registry, alice):
    with ape.reverts("AgentRegistry: wallet is zero"):
        registry.register(ZERO, "ipfs://x", [], sender=alice)
    with ape.reverts("AgentRegistry: empty URI"):
        registry.register(alice, "", [], sender=alice)
    with ape.reverts("AgentRegistry: empty service name"):
        registry.register(alice, "ipfs://x", [("", 1)], sender=alice)
    assert registry.agentIdOf(alice) == 0


def test_updates__owner_only_with_events(registry, register_agent, alice, bob, eve):
    agent_id = register_agent(bob, owner=alice)
    for call in (
        lambda who: registry.setAgentURI(agent_id, "ipfs://new", sender=who),
        lambda who: registry.setServices(agent_id, [("x", 1)], sender=who),
        lambda who: registry.setMetadata(agent_id, "k", b"v", sender=who),
        lambda who: registry.deactivate(agent_id, sender=who),
    ):
        for who in (eve, bob):  # the wallet is not the owner
            with ape.reverts("AgentRegistry: caller is not the agent owner"):
                call(who)
    tx = registry.setAgentURI(agent_id, "ipfs://new", sender=alice)
    (ev,) = tx.decode_logs(registry.URIUpdated)
    assert (ev.agentURI, ev.updatedBy) == ("ipfs://new", alice.address)
    with ape.reverts("AgentRegistry: empty URI"):
        registry.setAgentURI(agent_id, "", sender=alice)
    tx = registry.setServices(agent_id, [("audit", 5 * WEI)], sender=alice)
    assert tx.decode_logs(registry.ServicesUpdated)[0].agentId == agent_id
    assert registry.servicesOf(agent_id)[0].price == 5 * WEI
    tx = registry.setMetadata(agent_id, "model", b"gpt", sender=alice)
    assert tx.decode_logs(registry.MetadataSet)[0].key == "model"
    assert registry.getMetadata(agent_id, "model") == b"gpt"
    with ape.reverts("AgentRegistry: empty key"):
        registry.setMetadata(agent_id, "", b"x", sender=alice)


def test_deactivate_and_reactivate(registry, register_agent, alice):
    agent_id = register_agent(alice)
    with ape.reverts("AgentRegistry: agent active"):
        registry.reactivate(agent_id, sender=alice)
    tx = registry.deactivate(agent_id, sender=alice)
    assert tx.decode_logs(registry.AgentDeactivated)[0].agentId == agent_id
    assert not registry.isActive(alice)
    with ape.reverts("AgentRegistry: agent inactive"):
        registry.deactivate(agent_id, sender=alice)
    with ape.reverts("AgentRegistry: wallet already registered"):
        registry.register(alice, "ipfs://again", [], sender=alice)
    tx = registry.reactivate(agent_id, sender=alice)
    assert tx.decode_logs(registry.AgentReactivated)[0].owner == alice.address
    assert registry.isActive(alice)


def test_unknown_agent__reverts(registry, alice):
    with ape.reverts("AgentRegistry: unknown agent"):
        registry.setAgentURI(12345, "ipfs://x", sender=alice)


def test_services__bounded(registry, alice):
    too_many = [(f"s{i}", i) for i in range(registry.MAX_SERVICES() + 1)]
    with reverts_without_reason():  # refused by the DynArray bound while decoding
        registry.register(alice, "ipfs://x", too_many, sender=alice)


def test_ownable__owner_is_deployer(registry, deployer):
    assert registry.owner() == deployer.address


def test_register__worst_case_gas__within_the_agents_fixed_limit(registry, accounts):
    """The executor's fixed limit for register (used when estimation cannot run ahead of an unmined
    predecessor) covers the largest registration the contract accepts: 8 services, longest names, URI."""
    from agents.runtime.executor import FIXED_GAS

    who = accounts[9]
    services = [(chr(ord("a") + i) * 64, 10**30 + i) for i in range(int(registry.MAX_SERVICES()))]
    tx = registry.register(who.address, "u" * 256, services, sender=who)
    assert tx.gas_used <= FIXED_GAS["register"] / 1.1, tx.gas_used
