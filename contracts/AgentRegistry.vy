# pragma version 0.4.3
"""
@title Emergent Agent Registry
@custom:contract-name AgentRegistry
@license MIT
@notice Identity and service catalogue of the agents, shaped after ERC-8004's
        Identity Registry: every agent gets an `agentId` (1, 2, ...), an
        owner, an agent URI pointing at its off-chain agent card, on-chain
        key/value metadata (`setMetadata`/`getMetadata`, event `MetadataSet`),
        the `Registered(agentId, agentURI, owner)` and `URIUpdated` events.
        Added here: the agent wallet (the key the agent transacts with; it
        stakes, earns reputation and votes) and the services it offers with
        asking prices.

        Differences from ERC-8004, by design:
        - the identity is not an ERC-721 token and cannot be transferred: the
          wallet carries stake and reputation, so the identity stays with it;
        - one registration per wallet, ever (a deactivated agent keeps its
          wallet binding; `reactivate` brings it back);
        - the wallet must consent: either the wallet registers itself, or it
          first names its owner with `approveOwner(owner)`. Nobody can squat
          someone else's wallet.
@custom:security Holds no funds and has no tunable parameter. It is ownable
        (snekmate) only so that the deployment can hand every marketplace
        contract to the Timelock uniformly; the owner has no power here.
"""

from snekmate.auth import ownable as ow
initializes: ow

# `renounce_ownership` is left out, like in the other marketplace contracts.
exports: (ow.owner, ow.transfer_ownership)


# @dev Bounds of the catalogue (storage per agent is bounded).
MAX_SERVICES: public(constant(uint256)) = 8
MAX_URI_LENGTH: constant(uint256) = 256
MAX_NAME_LENGTH: constant(uint256) = 64
MAX_KEY_LENGTH: constant(uint256) = 64
MAX_VALUE_LENGTH: constant(uint256) = 256


# @dev One service an agent sells, with its asking price in AGENT wei-units.
struct Service:
    name: String[MAX_NAME_LENGTH]
    price: uint256


# @dev The number of agents registered so far (= the last agentId).
agentCount: public(uint256)
# @dev agentId -> owner.
ownerOf: public(HashMap[uint256, address])
# @dev agentId -> agent wallet.
walletOf: public(HashMap[uint256, address])
# @dev wallet -> agentId (0: not registered).
agentIdOf: public(HashMap[address, uint256])
# @dev agentId -> agent URI (the agent card).
agentURI: public(HashMap[uint256, String[MAX_URI_LENGTH]])
# @dev agentId -> active flag.
isActiveAgent: public(HashMap[uint256, bool])
# @dev wallet -> the owner it consents to be registered by.
approvedOwnerOf: public(HashMap[address, address])
# @dev agentId -> offered services.
_services: HashMap[uint256, DynArray[Service, MAX_SERVICES]]
# @dev agentId -> key -> value.
_metadata: HashMap[uint256, HashMap[String[MAX_KEY_LENGTH], Bytes[MAX_VALUE_LENGTH]]]


event Registered:
    agentId: indexed(uint256)
    agentURI: String[MAX_URI_LENGTH]
    owner: indexed(address)
    agentWallet: indexed(address)

event URIUpdated:
    agentId: indexed(uint256)
    agentURI: String[MAX_URI_LENGTH]
    updatedBy: indexed(address)

event MetadataSet:
    agentId: indexed(uint256)
    key: String[MAX_KEY_LENGTH]
    value: Bytes[MAX_VALUE_LENGTH]

event ServicesUpdated:
    agentId: indexed(uint256)
    services: DynArray[Service, MAX_SERVICES]

event AgentDeactivated:
    agentId: indexed(uint256)
    owner: indexed(address)

event AgentReactivated:
    agentId: indexed(uint256)
    owner: indexed(address)

event OwnerApproved:
    wallet: indexed(address)
    owner: indexed(address)


@deploy
def __init__():
    """
    @dev No parameters: registration is open to everyone.
    """
    ow.__init__()


# ---------------------------------------------------------------- registration


@external
def approveOwner(owner: address):
    """
    @notice Called by an agent wallet: lets `owner` register it.
    @param owner The owner-to-be; zero withdraws the consent.
    """
    self.approvedOwnerOf[msg.sender] = owner
    log OwnerApproved(wallet=msg.sender, owner=owner)


@external
def register(agentWallet: address, agentURI_: String[MAX_URI_LENGTH], services: DynArray[Service, MAX_SERVICES]) -> uint256:
    """
    @notice Registers an agent owned by the caller.
    @param agentWallet The agent's wallet: the caller itself, or a wallet that
           approved the caller with `approveOwner`.
    @param agentURI_ The agent card URI; not empty.
    @param services Offered services with asking prices (names not empty).
    @return The new agentId.
    """
    assert agentWallet != empty(address), "AgentRegistry: wallet is zero"
    assert self.agentIdOf[agentWallet] == 0, "AgentRegistry: wallet already registered"
    assert agentWallet == msg.sender or self.approvedOwnerOf[agentWallet] == msg.sender, "AgentRegistry: wallet did not approve owner"
    assert len(agentURI_) > 0, "AgentRegistry: empty URI"
    self._check_services(services)
    agent_id: uint256 = self.agentCount + 1
    self.agentCount = agent_id
    self.ownerOf[agent_id] = msg.sender
    self.walletOf[agent_id] = agentWallet
    self.agentIdOf[agentWallet] = agent_id
    self.agentURI[agent_id] = agentURI_
    self.isActiveAgent[agent_id] = True
    self._services[agent_id] = services
    self.approvedOwnerOf[agentWallet] = empty(address)
    log Registered(agentId=agent_id, agentURI=agentURI_, owner=msg.sender, agentWallet=agentWallet)
    log ServicesUpdated(agentId=agent_id, services=services)
    return agent_id


@external
def setAgentURI(agentId: uint256, agentURI_: String[MAX_URI_LENGTH]):
    """
    @notice Points the agent at a new agent card. Agent owner only.
    """
    self._check_agent_owner(agentId)
    assert len(agentURI_) > 0, "AgentRegistry: empty URI"
    self.agentURI[agentId] = agentURI_
    log URIUpdated(agentId=agentId, agentURI=agentURI_, updatedBy=msg.sender)


@external
def setServices(agentId: uint256, services: DynArray[Service, MAX_SERVICES]):
    """
    @notice Replaces the agent's service catalogue. Agent owner only.
    """
    self._check_agent_owner(agentId)
    self._check_services(services)
    self._services[agentId] = services
    log ServicesUpdated(agentId=agentId, services=services)


@external
def setMetadata(agentId: uint256, key: String[MAX_KEY_LENGTH], metadataValue: Bytes[MAX_VALUE_LENGTH]):
    """
    @notice Sets one on-chain metadata entry (ERC-8004 style). Agent owner only.
    @param key Not empty.
    @param metadataValue Any bytes; empty clears the entry.
    """
    self._check_agent_owner(agentId)
    assert len(key) > 0, "AgentRegistry: empty key"
    self._metadata[agentId][key] = metadataValue
    log MetadataSet(agentId=agentId, key=key, value=metadataValue)


@external
def deactivate(agentId: uint256):
    """
    @notice Withdraws the agent from the market (it stays registered). Agent owner only.
    """
    self._check_agent_owner(agentId)
    assert self.isActiveAgent[agentId], "AgentRegistry: agent inactive"
    self.isActiveAgent[agentId] = False
    log AgentDeactivated(agentId=agentId, owner=msg.sender)


@external
def reactivate(agentId: uint256):
    """
    @notice Brings a deactivated agent back. Agent owner only.
    """
    self._check_agent_owner(agentId)
    assert not self.isActiveAgent[agentId], "AgentRegistry: agent active"
    self.isActiveAgent[agentId] = True
    log AgentReactivated(agentId=agentId, owner=msg.sender)


# ---------------------------------------------------------------- views


@external
@view
def getMetadata(agentId: uint256, key: String[MAX_KEY_LENGTH]) -> Bytes[MAX_VALUE_LENGTH]:
    """
    @notice One metadata entry (empty if unset).
    """
    return self._metadata[agentId][key]


@external
@view
def servicesOf(agentId: uint256) -> DynArray[Service, MAX_SERVICES]:
    """
    @notice The agent's offered services with asking prices.
    """
    return self._services[agentId]


@external
@view
def isActive(wallet: address) -> bool:
    """
    @notice Whether `wallet` belongs to a registered, active agent.
    """
    return self.isActiveAgent[self.agentIdOf[wallet]]


# ---------------------------------------------------------------- internal


@internal
@view
def _check_agent_owner(agent_id: uint256):
    owner: address = self.ownerOf[agent_id]
    assert owner != empty(address), "AgentRegistry: unknown agent"
    assert owner == msg.sender, "AgentRegistry: caller is not the agent owner"


@internal
@pure
def _check_services(services: DynArray[Service, MAX_SERVICES]):
    for s: Service in services:
        assert len(s.name) > 0, "AgentRegistry: empty service name"
