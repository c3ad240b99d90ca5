# pragma version 0.4.3
"""
@title Checkpoint traces keyed by address
@custom:contract-name checkpoints
@license MIT
@notice A history of values per "trace" (an address), each entry stamped
        with a key (a block number on the ERC-6372 block-number clock).
        This is the Vyper counterpart of OpenZeppelin's `Checkpoints.Trace208`:
        one storage slot per checkpoint, packed as `key << 208 | value`,
        with `key < 2**48` and `value < 2**208`.

        - `_push` appends a checkpoint, or overwrites the last one when the key
          is unchanged (several updates in one block cost one slot). Keys must
          never decrease.
        - `_latest` reads the newest value in O(1).
        - `_upper_lookup` returns the newest checkpoint whose key is <= a given
          key by binary search. The loop is bounded by 64 iterations, which
          covers up to 2**64 checkpoints (far beyond anything a trace can hold:
          at most one checkpoint per block). It first checks the newest
          checkpoint, so reads at recent timepoints are O(1).

        A contract can keep any number of traces, each named by an address or
        by a `uint256` id (`_push_id`, `_latest_id`, `_upper_lookup_id`,
        `_length_id`; an address `a` is the id `uint256(a)`). Ids from 2**160
        on belong to no address: Staking keeps its total voting stake under
        one of them, so no per-account read can return the total.
@custom:security Keys are supplied by the caller (block.number in this
        project); `_push` refuses a key lower than the last one, so a trace
        is always sorted and the binary search is correct.
"""


# @dev Values are stored in the low 208 bits of a slot.
_VALUE_BITS: constant(uint256) = 208
_VALUE_MASK: constant(uint256) = (1 << 208) - 1
_KEY_LIMIT: constant(uint256) = 1 << 48
# @dev log2 of the largest possible trace; bounds the binary search.
_MAX_SEARCH_STEPS: constant(uint256) = 64


# @dev Number of checkpoints per trace id.
_trace_length: HashMap[uint256, uint256]

# @dev Packed checkpoints per trace id: index -> key << 208 | value.
_trace: HashMap[uint256, HashMap[uint256, uint256]]


@deploy
def __init__():
    """
    @dev Nothing to initialise; present so that contracts `initializes:` it.
    """
    pass


@internal
def _push_id(trace: uint256, key: uint256, val: uint256):
    """
    @dev Records `val` at `key` for `trace`. Overwrites the last
         checkpoint when it has the same key; appends otherwise.
    @param trace The trace (an account, or a sentinel for totals).
    @param key The clock value; must not be lower than the last key.
    @param val The new value; must fit in 208 bits.
    """
    assert key < _KEY_LIMIT, "checkpoints: key too large"
    assert val <= _VALUE_MASK, "checkpoints: value too large"
    n: uint256 = self._trace_length[trace]
    packed: uint256 = (key << _VALUE_BITS) | val
    if n > 0:
        last_key: uint256 = self._trace[trace][n - 1] >> _VALUE_BITS
        assert last_key <= key, "checkpoints: decreasing key"
        if last_key == key:
            self._trace[trace][n - 1] = packed
            return
    self._trace[trace][n] = packed
    self._trace_length[trace] = n + 1


@internal
@view
def _latest_id(trace: uint256) -> uint256:
    """
    @dev The newest value of `trace`, or 0 if it has no checkpoint.
    """
    n: uint256 = self._trace_length[trace]
    if n == 0:
        return 0
    return self._trace[trace][n - 1] & _VALUE_MASK


@internal
@view
def _latest_checkpoint_id(trace: uint256) -> (uint256, uint256):
    """
    @dev The newest checkpoint of `trace` as (key, value), or (0, 0).
    """
    n: uint256 = self._trace_length[trace]
    if n == 0:
        return (0, 0)
    packed: uint256 = self._trace[trace][n - 1]
    return (packed >> _VALUE_BITS, packed & _VALUE_MASK)


@internal
@view
def _upper_lookup_id(trace: uint256, key: uint256) -> (uint256, uint256):
    """
    @dev The newest checkpoint of `trace` whose key is <= `key`, as
         (key, value); (0, 0) if there is none.
    """
    n: uint256 = self._trace_length[trace]
    if n == 0:
        return (0, 0)
    packed: uint256 = self._trace[trace][n - 1]
    if packed >> _VALUE_BITS <= key:
        return (packed >> _VALUE_BITS, packed & _VALUE_MASK)
    # Invariant: every index < low has key <= `key`; every index >= high has key > `key`.
    low: uint256 = 0
    high: uint256 = n - 1
    for _: uint256 in range(_MAX_SEARCH_STEPS):
        if low >= high:
            break
        mid: uint256 = unsafe_add(low, unsafe_div(unsafe_sub(high, low), 2))
        if self._trace[trace][mid] >> _VALUE_BITS > key:
            high = mid
        else:
            low = unsafe_add(mid, 1)
    if low == 0:
        return (0, 0)
    packed = self._trace[trace][low - 1]
    return (packed >> _VALUE_BITS, packed & _VALUE_MASK)


@internal
@view
def _length_id(trace: uint256) -> uint256:
    """
    @dev Number of checkpoints in `trace`.
    """
    return self._trace_length[trace]


@internal
def _push(trace: address, key: uint256, val: uint256):
    """
    @dev `_push_id` for the trace of an address.
    """
    self._push_id(convert(trace, uint256), key, val)


@internal
@view
def _latest(trace: address) -> uint256:
    """
    @dev `_latest_id` for the trace of an address.
    """
    return self._latest_id(convert(trace, uint256))


@internal
@view
def _latest_checkpoint(trace: address) -> (uint256, uint256):
    """
    @dev `_latest_checkpoint_id` for the trace of an address.
    """
    return self._latest_checkpoint_id(convert(trace, uint256))


@internal
@view
def _upper_lookup(trace: address, key: uint256) -> (uint256, uint256):
    """
    @dev `_upper_lookup_id` for the trace of an address.
    """
    return self._upper_lookup_id(convert(trace, uint256), key)


@internal
@view
def _length(trace: address) -> uint256:
    """
    @dev `_length_id` for the trace of an address.
    """
    return self._length_id(convert(trace, uint256))
