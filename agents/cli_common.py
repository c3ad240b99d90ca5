"""Input checks, the chain reference (`--network`, `--rpc`), lean reads and the one-line error handler
shared by every `emergent` command.

Rules every command follows:
- input is checked before anything heavy is imported (ape takes seconds to import) and before any
  transaction is built; a failure is one line `Error: <what was wrong>`, exit code 2 for bad input
  (`InputError`, click usage errors) and 1 for runtime failures, never a traceback (an unexpected
  exception is written to a log file named in the line: `(details: <log>)`);
- `--network ecosystem:network[:provider]` names the chain family everywhere (which deployments file,
  which ape provider sends); `--rpc URL` (or `EMERGENT_RPC`) says which node. Local networks default to
  http://127.0.0.1:8545, the `emergent devnet` default, and `devnet --port N` matches `--rpc
  http://127.0.0.1:N`;
- reads go through the lean JSON-RPC client (`agents.chain.rpc`) and the ABI codec, not ape;
- "no devnet" is one message everywhere (`no_devnet_message`).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import re
import sys
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from agents.paths import PROJECT_ROOT, deployment_file, ensure_tool_path

DEFAULT_NETWORK = "ethereum:local:foundry"
DEFAULT_PORT = 8545
DEFAULT_RPC = f"http://127.0.0.1:{DEFAULT_PORT}"
RPC_ENV = "EMERGENT_RPC"
VERBOSE_ENV = "EMERGENT_VERBOSE"
LOG_DIR = PROJECT_ROOT / ".emergent" / "logs"

# Networks known without importing ape (ape's built-in ethereum networks and the providers installed
# with this project). Anything else is checked against ape itself (slower, but still before sending).
_KNOWN_NETWORKS = {
    "local": ("foundry", "test", "node"),
    "mainnet": ("node", "foundry"),
    "sepolia": ("node", "foundry"),
    "holesky": ("node", "foundry"),
    "hoodi": ("node", "foundry"),
}


class InputError(click.ClickException):
    """Bad user input: printed as one `Error: ...` line, exit code 2, nothing sent."""

    exit_code = 2


class RuntimeFailure(click.ClickException):
    """The input was fine but the world was not (no devnet, a stale deployment): exit code 1."""

    exit_code = 1


def verbose() -> bool:
    return os.environ.get(VERBOSE_ENV, "") not in ("", "0")


# --- the one-line error handler --------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def write_error_log(exc: BaseException) -> Path | None:
    """The full traceback of an unexpected failure, for the `(details: ...)` part of the error line."""
    try:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        path = LOG_DIR / f"error-{_dt.datetime.now().strftime('%Y%m%d-%H%M%S-%f')}.log"
        path.write_text(
            f"emergent {' '.join(sys.argv[1:])}\n\n"
            + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        )
        return path
    except OSError:
        return None


def describe_exception(exc: BaseException) -> tuple[str, int]:
    """(one-line message, exit code) for an exception that escaped a command."""
    name = type(exc).__name__
    # ape / web3 revert errors: the reason is the useful part
    if name in ("ContractLogicError", "VirtualMachineError", "ContractLogicRevert"):
        return f"the transaction reverted: {getattr(exc, 'message', None) or exc}", 1
    if isinstance(exc, ConnectionError | TimeoutError):
        return f"cannot reach the node: {exc}", 1
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{name}: {first}" if first else name, 1


class OneLineErrors:
    """Mixin for a click Group used as an entry point: every failure ends as one `Error: ...` line."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)  # type: ignore[misc]
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            hint = ""
            if exc.ctx is not None:
                hint = f" (see `{exc.ctx.command_path} --help`)"
            click.echo(f"Error: {_one_line(exc.format_message())}{hint}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"Error: {_one_line(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except (click.Abort, KeyboardInterrupt):
            click.echo("Error: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:  # `emergent status | head -1`: the reader left; nothing to report
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except Exception as exc:  # noqa: BLE001 - the point: no traceback for the user
            message, code = describe_exception(exc)
            log = write_error_log(exc)
            click.echo(f"Error: {_one_line(message)}" + (f" (details: {log})" if log else ""), err=True)
            sys.exit(code)
        if standalone_mode:
            sys.exit(rv if isinstance(rv, int) else 0)
        return rv


# --- input checks ----------------------------------------------------------------------------------

_ADDRESS_RE = re.compile(r"^0x[0-9a-fA-F]{40}$")


def _keccak(data: bytes) -> bytes:
    from eth_hash.auto import keccak

    return keccak(data)


def to_checksum(value: str) -> str:
    body = value[2:].lower()
    digest = _keccak(body.encode()).hex()
    return "0x" + "".join(c.upper() if int(digest[i], 16) >= 8 else c for i, c in enumerate(body))


def parse_address(value: str, what: str = "address") -> str:
    """A 0x-prefixed 20-byte hex address; mixed case must be a valid EIP-55 checksum."""
    if not isinstance(value, str) or not _ADDRESS_RE.match(value):
        raise InputError(f"{what} must be 0x followed by 40 hex digits, got {value!r}")
    body = value[2:]
    checksummed = to_checksum(value)
    if body != body.lower() and body != body.upper() and value != checksummed:
        raise InputError(f"{what} {value} has a wrong EIP-55 checksum")
    return checksummed


def parse_amount(value: str, what: str = "amount") -> int:
    """Whole tokens as a positive decimal (e.g. 12.5) -> wei-units (18 decimals), exactly (units.to_wei)."""
    from agents.chain.units import to_wei

    if str(value).strip().startswith("-"):
        raise InputError(f"{what} must be greater than zero, got {value}")
    try:
        wei = to_wei(value, what)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if wei == 0:
        raise InputError(f"{what} must be greater than zero, got {value}")
    return wei


def check_network(choice: str) -> str:
    """Refuse a network choice ape does not know, naming the ones it does (no connection made).

    Ethereum's own networks are checked without importing ape; other ecosystems ask ape."""
    if "://" in str(choice):
        raise InputError(
            f"network must be ecosystem:network[:provider], got the URL {choice!r} (a URL goes to --rpc)"
        )
    parts = str(choice).split(":")
    if len(parts) not in (2, 3) or not all(parts):
        raise InputError(f"network must be ecosystem:network[:provider], got {choice!r}")
    unknown = InputError(
        f"unknown network {choice!r} (e.g. ethereum:local:foundry, ethereum:sepolia:node; "
        "`ape networks list` shows all)"
    )
    if parts[0] == "ethereum":
        providers = _KNOWN_NETWORKS.get(parts[1])
        if providers is not None and (len(parts) == 2 or parts[2] in providers):
            return choice
        if providers is None and parts[1] not in ("mainnet-fork", "sepolia-fork", "local-fork"):
            raise unknown
    ensure_tool_path()
    quiet_ape()
    from ape import networks

    try:
        ecosystem = networks.get_ecosystem(parts[0])
        net = ecosystem.get_network(parts[1])
        if len(parts) == 3:
            net.get_provider(parts[2])
    except Exception:  # noqa: BLE001 - ape raises several kinds for an unknown network; all mean "unknown"
        raise unknown from None
    return choice


def is_local(network: str) -> bool:
    parts = network.split(":")
    return len(parts) > 1 and parts[1] == "local"


def check_rpc_url(url: str, what: str = "--rpc") -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{what} must be an http(s) URL such as {DEFAULT_RPC}, got {url!r}")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise InputError(f"{what} has an invalid port: {url!r}") from None
    return url.rstrip("/")


def resolve_rpc(network: str, rpc: str | None) -> str:
    """The node URL: --rpc, else EMERGENT_RPC, else the devnet default for local networks."""
    if rpc:
        return check_rpc_url(rpc)
    env = os.environ.get(RPC_ENV)
    if env:
        return check_rpc_url(env, RPC_ENV)
    if is_local(network):
        return DEFAULT_RPC
    raise InputError(f"--rpc URL (or {RPC_ENV}) is required for {network}")


def no_devnet_message(url: str) -> str:
    """The one wording for "nothing answers at the local RPC URL", used by every command."""
    port = urlsplit(url).port
    hint = "`emergent devnet`" if port in (None, DEFAULT_PORT) else f"`emergent devnet --port {port}`"
    return f"no devnet is running at {url}: start one with {hint}"


def network_options(f: Any) -> Any:
    """`--network` and `--rpc`, the same on every command."""
    f = click.option(
        "--rpc",
        "rpc",
        default=None,
        metavar="URL",
        help=f"JSON-RPC URL of the node (default: ${RPC_ENV}, else {DEFAULT_RPC} on local "
        "networks; `emergent devnet --port N` serves http://127.0.0.1:N)",
    )(f)
    f = click.option(
        "--network",
        "network",
        default=DEFAULT_NETWORK,
        show_default=True,
        callback=lambda c, p, v: check_network(v),
        help="ape network ecosystem:network[:provider]: picks the deployments file "
        "and the provider that sends",
    )(f)
    return f


# --- lean reads (no ape) ---------------------------------------------------------------------------


class ChainReader:
    """Reads over the lean JSON-RPC client: eth_call through the ABI codec, batches, the head."""

    def __init__(self, network: str, url: str, timeout: float = 5.0) -> None:
        from agents.chain.rpc import JsonRpc

        self.network = network
        self.url = url
        self.rpc = JsonRpc(url, timeout=timeout)
        self._abis: dict[str, list[dict[str, Any]]] | None = None

    def _unreachable(self, exc: Exception) -> RuntimeFailure:
        if is_local(self.network):
            return RuntimeFailure(no_devnet_message(self.url))
        return RuntimeFailure(f"cannot reach the node at {self.url}: {exc}")

    def request(self, method: str, params: Sequence[Any] = ()) -> Any:
        from agents.chain.rpc import RpcProtocolError, RpcTransportError

        try:
            return self.rpc.request(method, params)
        except (RpcTransportError, RpcProtocolError) as exc:
            raise self._unreachable(exc) from None

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        from agents.chain.rpc import RpcProtocolError, RpcTransportError

        try:
            return self.rpc.batch(calls)
        except (RpcTransportError, RpcProtocolError) as exc:
            raise self._unreachable(exc) from None

    def head(self) -> int:
        return int(self.request("eth_blockNumber"), 16)

    def block(self, number: int | str = "latest") -> dict[str, Any]:
        tag = hex(number) if isinstance(number, int) else number
        block: dict[str, Any] = self.request("eth_getBlockByNumber", [tag, False])
        return block

    def abis(self) -> dict[str, list[dict[str, Any]]]:
        if self._abis is None:
            self._abis = cached_abis()
        return self._abis

    def contract(self, name: str, address: str) -> LeanContract:
        abi = self.abis().get(name)
        if abi is None:
            raise RuntimeFailure(f"no ABI for {name} in the build output: run `ape compile`")
        return LeanContract(self, name, address, abi)

    def call(self, call: Any, block: str = "latest") -> Any:
        """eth_call of an encoded `agents.chain.codec.Call`; a revert raises InputError with its reason."""
        from agents.chain.rpc import RpcResponseError

        try:
            raw = self.request("eth_call", [{"to": call.to, "data": "0x" + call.data.hex()}, block])
        except RpcResponseError as exc:
            raise InputError(f"{call.fn.name} would revert: {revert_reason(exc)}") from None
        return call.decode(bytes.fromhex(raw[2:]))

    def simulate(self, sender: str, call: Any) -> int:
        """eth_estimateGas of sending `call` from `sender` in the pending block: the gas, or InputError
        with the revert reason (nothing is sent)."""
        from agents.chain.rpc import RpcResponseError

        tx = {"from": sender, "to": call.to, "data": "0x" + call.data.hex()}
        try:
            return int(self.request("eth_estimateGas", [tx, "pending"]), 16)
        except RpcResponseError as exc:
            raise InputError(f"the transaction would revert: {revert_reason(exc)}") from None


ABI_CACHE = PROJECT_ROOT / ".build" / "emergent-abis.json"


def cached_abis() -> dict[str, list[dict[str, Any]]]:
    """Every contract's ABI from ape's build output, through a small cache file next to it.

    The build output (.build/__local__.json) holds bytecode and source maps too (about 5 MB, 0.15 s to
    parse); the cache keeps the ABIs only and is rebuilt whenever the build output changes."""
    import json

    from agents.chain.abi import BUILD_FILE, AbiError, load_abis

    if not BUILD_FILE.is_file():
        raise RuntimeFailure(
            f"no compiled contracts at {BUILD_FILE}: run `emergent devnet` (or `ape compile`)"
        )
    stamp = BUILD_FILE.stat().st_mtime_ns
    try:
        cached = json.loads(ABI_CACHE.read_text())
        if cached.get("build_mtime_ns") == stamp:
            cached_abis: dict[str, list[dict[str, Any]]] = cached["abis"]
            return cached_abis
    except (OSError, ValueError, AttributeError):
        pass
    try:
        abis = load_abis()
    except AbiError as exc:
        raise RuntimeFailure(str(exc)) from None
    with contextlib.suppress(OSError):
        tmp = ABI_CACHE.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"build_mtime_ns": stamp, "abis": abis}))
        os.replace(tmp, ABI_CACHE)
    return abis


# --- a small ABI codec for static types and strings (eth_abi costs ~0.3 s to import) ----------------

_FAST_TYPES = re.compile(r"^(u?int(8|16|24|32|48|64|96|128|160|192|256)?|address|bool|bytes32|string)$")


class _Fn:
    def __init__(self, name: str, inputs: list[str], outputs: list[str]) -> None:
        self.name = name
        self.signature = f"{name}({','.join(inputs)})"
        self.selector = _keccak(self.signature.encode())[:4]
        self.inputs = inputs
        self.outputs = outputs


class FastCall:
    """An encoded call (same shape as agents.chain.codec.Call: to, data, fn, decode)."""

    def __init__(self, to: str, data: bytes, fn: _Fn) -> None:
        self.to, self.data, self.fn = to, data, fn

    def decode(self, raw: bytes) -> Any:
        values: list[Any] = []
        for i, typ in enumerate(self.fn.outputs):
            word = raw[32 * i : 32 * i + 32]
            if typ == "string":
                off = int.from_bytes(word, "big")
                n = int.from_bytes(raw[off : off + 32], "big")
                values.append(raw[off + 32 : off + 32 + n].decode("utf-8", "replace"))
            elif typ == "address":
                values.append(to_checksum("0x" + word[12:].hex()))
            elif typ == "bool":
                values.append(word[-1] == 1)
            elif typ == "bytes32":
                values.append(bytes(word))
            elif typ.startswith("int"):
                values.append(int.from_bytes(word, "big", signed=True))
            else:
                values.append(int.from_bytes(word, "big"))
        return values[0] if len(values) == 1 else tuple(values)


def _encode_static(typ: str, value: Any) -> bytes:
    if typ == "address":
        return bytes(12) + bytes.fromhex(str(value)[2:])
    if typ == "bool":
        return int(bool(value)).to_bytes(32, "big")
    if typ == "bytes32":
        return bytes(value).rjust(32, b"\0")
    return int(value).to_bytes(32, "big", signed=typ.startswith("int"))


def revert_reason(exc: Any) -> str:
    """The reason string of a JSON-RPC revert error (Error(string) data decoded), else its message."""
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x08c379a0") and len(data) >= 138:
        try:
            raw = bytes.fromhex(data[10:])
            length = int.from_bytes(raw[32:64], "big")
            return raw[64 : 64 + length].decode("utf-8", "replace")
        except ValueError:
            pass
    message = str(getattr(exc, "message", exc))
    return message.removeprefix("execution reverted: ").removeprefix("execution reverted") or "reverted"


class LeanContract:
    """`contract.fn(*args)` does an eth_call and returns the decoded value (like ape's view calls)."""

    def __init__(self, reader: ChainReader, name: str, address: str, abi: list[dict[str, Any]]) -> None:
        self.reader = reader
        self.name = name
        self.address = address
        self.abi = abi
        self._codec: Any = None
        self._fast: dict[tuple[str, int], _Fn | None] = {}
        self._names = {i["name"] for i in abi if i.get("type") == "function"}
        self.lean = True

    @property
    def codec(self) -> Any:
        if self._codec is None:
            from agents.chain.codec import ContractCodec

            self._codec = ContractCodec(self.address, self.abi)
        return self._codec

    def _fast_fn(self, fn: str, arity: int) -> _Fn | None:
        key = (fn, arity)
        if key not in self._fast:
            found = [
                i
                for i in self.abi
                if i.get("type") == "function" and i.get("name") == fn and len(i.get("inputs", ())) == arity
            ]
            ok = None
            if len(found) == 1:
                ins = [p["type"] for p in found[0].get("inputs", ())]
                outs = [p["type"] for p in found[0].get("outputs", ())]
                if (
                    all(_FAST_TYPES.match(t) for t in ins + outs)
                    and "string" not in ins
                    and ("string" not in outs or len(outs) == 1)
                ):
                    ok = _Fn(fn, ins, outs)
            self._fast[key] = ok
        return self._fast[key]

    def encode(self, fn: str, *args: Any) -> Any:
        fast = self._fast_fn(fn, len(args))
        if fast is not None:
            data = fast.selector + b"".join(
                _encode_static(t, v) for t, v in zip(fast.inputs, args, strict=True)
            )
            return FastCall(self.address, data, fast)
        return getattr(self.codec, fn)(*args)

    def __getattr__(self, fn: str) -> Any:
        if fn.startswith("_"):
            raise AttributeError(fn)
        if fn not in self._names:
            raise AttributeError(f"no function {fn} in the ABI of {self.name}")
        return LeanMethod(self, fn)

    def many(self, calls: Sequence[tuple[str, tuple[Any, ...]]]) -> list[Any]:
        """Several view calls in one round trip."""
        from agents.chain.rpc import RpcResponseError

        encoded = [self.encode(fn, *args) for fn, args in calls]
        raws = self.reader.batch(
            [("eth_call", [{"to": c.to, "data": "0x" + c.data.hex()}, "latest"]) for c in encoded]
        )
        out = []
        for c, raw in zip(encoded, raws, strict=True):
            if isinstance(raw, RpcResponseError):
                raise RuntimeFailure(f"{self.name}.{c.fn.name} failed: {revert_reason(raw)}")
            out.append(c.decode(bytes.fromhex(raw[2:])))
        return out

    def events(self, event: str, from_block: int, to_block: int | str = "latest") -> list[dict[str, Any]]:
        from agents.chain.codec import EventCodec

        item = next((i for i in self.abi if i.get("type") == "event" and i.get("name") == event), None)
        if item is None:
            raise RuntimeFailure(f"no event {event} in the ABI of {self.name}")
        ev = EventCodec(item)
        to_tag = hex(to_block) if isinstance(to_block, int) else to_block
        logs = self.reader.request(
            "eth_getLogs",
            [
                {
                    "address": self.address,
                    "fromBlock": hex(from_block),
                    "toBlock": to_tag,
                    "topics": ["0x" + ev.topic.hex()],
                }
            ],
        )
        out = []
        for log in logs:
            args = ev.decode(log["topics"], log["data"])
            args["_block"] = int(log["blockNumber"], 16)
            out.append(args)
        return out


class LeanMethod:
    """One function of a LeanContract: calling it is an eth_call; `encode(*args)` gives the Call to send."""

    lean = True

    def __init__(self, contract: LeanContract, fn: str) -> None:
        self.contract = contract
        self.fn = fn

    def encode(self, *args: Any) -> Any:
        return self.contract.encode(self.fn, *args)

    def __call__(self, *args: Any) -> Any:
        return self.contract.reader.call(self.encode(*args))


class LeanSender:
    """Who sends, for the lean path: address and key (no ape account)."""

    def __init__(self, key: str) -> None:
        from eth_account import Account

        self.key = key
        self.address = Account.from_key(key).address


def read_deployment_file(path: Path) -> dict[str, Any]:
    """agents.chain.deployment.load_deployment's checks and messages, without importing pydantic/yaml."""
    import json

    if not path.is_file():
        raise RuntimeFailure(f"no deployment file at {path}: run `emergent devnet` or `ape run deploy` first")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise RuntimeFailure(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("contracts"), dict):
        raise RuntimeFailure(f"{path}: missing the 'contracts' mapping")
    return data


def load_chain_deployment(
    network: str, rpc: str | None, deployment: Path | None = None
) -> tuple[ChainReader, dict[str, Any], Path]:
    """The reader for the node and the deployment recorded for that chain, checked against it:
    same chain id and genesis block, code at the AgentToken address. One-line errors otherwise."""

    url = resolve_rpc(network, rpc)
    path = deployment or deployment_file(network, url)
    reader = ChainReader(network, url)
    if not path.is_file() and is_local(network):
        reader.head()  # nothing answers: "no devnet" reads the same as everywhere else
    try:
        data = read_deployment_file(path)
    except RuntimeFailure as exc:
        raise RuntimeFailure(_deployment_hint(exc.format_message(), network, url)) from None
    chain_id, genesis = reader.batch([("eth_chainId", []), ("eth_getBlockByNumber", ["0x0", False])])
    if isinstance(chain_id, Exception) or isinstance(genesis, Exception) or not genesis:
        raise RuntimeFailure(f"the node at {url} did not answer eth_chainId / block 0")
    if data.get("chain_id") is not None and int(chain_id, 16) != int(data["chain_id"]):
        raise RuntimeFailure(
            f"{path} is for chain {data['chain_id']} but the node at {url} is chain {int(chain_id, 16)}"
        )
    if data.get("genesis_hash") and genesis["hash"].lower() != str(data["genesis_hash"]).lower():
        raise RuntimeFailure(
            f"{path} records another chain than the one at {url} (different genesis "
            f"block: the devnet was restarted?); run {_devnet_cmd(url)} to deploy again"
        )
    token = data["contracts"].get("AgentToken")
    if token and reader.request("eth_getCode", [token, "latest"]) in ("0x", "0x0", None):
        raise RuntimeFailure(f"no contract at AgentToken {token}: {path} is stale")
    return reader, data, path


def _devnet_cmd(url: str) -> str:
    port = urlsplit(url).port
    return "`emergent devnet`" if port in (None, DEFAULT_PORT) else f"`emergent devnet --port {port}`"


def _deployment_hint(message: str, network: str, url: str) -> str:
    if message.startswith("no deployment file") and is_local(network):
        return message.split(":")[0] + f": run {_devnet_cmd(url)} first"
    return message


# --- ape (sends only) ------------------------------------------------------------------------------


def quiet_ape() -> None:
    """No third-party warnings or ape INFO lines (`Confirmed 0x...`) unless -v."""
    if verbose():
        return
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    logging.getLogger("ape").setLevel(logging.ERROR)
    with contextlib.suppress(Exception):
        from ape.logging import logger as ape_logger

        ape_logger.set_level("ERROR")


@contextlib.contextmanager
def connected(choice: str, rpc: str | None = None) -> Iterator[Any]:
    """Connect ape to `choice` (at `rpc` when given) for the duration of the block; yields the provider."""
    ensure_tool_path()
    if rpc and is_local(choice):
        os.environ["APE_FOUNDRY_HOST"] = rpc
    quiet_ape()
    from ape import networks

    quiet_ape()
    target = choice
    if rpc and not is_local(choice):
        target = ":".join([*choice.split(":")[:2], rpc])
    hardhat = _local_hardhat_url(choice)
    if hardhat:
        target = f"{':'.join(choice.split(':')[:2])}:{hardhat}"  # ape's generic node provider at that URL
    try:
        ctx = networks.parse_network_choice(target)
        provider = ctx.__enter__()
        if hardhat:
            _trust_hardhat_automine(provider)
    except Exception as exc:  # noqa: BLE001 - any failure to connect is one line for the user
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise RuntimeFailure(f"cannot connect to {choice}: {_one_line(first)}") from None
    try:
        yield provider
    finally:
        ctx.__exit__(None, None, None)


def _local_hardhat_url(choice: str) -> str | None:
    """The devnet URL when `choice` is a local network whose devnet (APE_FOUNDRY_HOST) is a Hardhat node.

    ape's foundry provider refuses a node that is not anvil, so the Hardhat devnet is reached through
    ape's generic node provider (chain id 31337 from ape-config.yaml's `node:` section)."""
    url = os.environ.get("APE_FOUNDRY_HOST", "")
    if not is_local(choice) or not url.startswith("http"):
        return None
    from agents.devnet import node_kind

    return url if node_kind(url) == "hardhat" else None


def _trust_hardhat_automine(provider: Any) -> None:
    """ape's node provider reads automine from `eth_mining`, which the Hardhat node answers false while it
    automines; ape would then return placeholder receipts (block -1, no contract address) for every
    transaction. Ask the node itself (`hardhat_getAutomine`) instead, on this provider object only."""
    cls = type(provider)
    if getattr(cls, "_emergent_hardhat", False):
        return
    sub = type(
        cls.__name__,
        (cls,),
        {
            "_emergent_hardhat": True,
            "auto_mine": property(lambda self: bool(self.make_request("hardhat_getAutomine", []))),
        },
    )
    provider.__class__ = sub


def load_account(account_alias: str | None, account_index: int | None) -> Any:
    """An ape account: a named alias (any network) or a local test account by index."""
    from ape import accounts, chain

    if account_alias:
        if account_alias not in accounts.aliases:
            raise InputError(f"no ape account named {account_alias!r} (see `ape accounts list`)")
        return accounts.load(account_alias)
    if chain.provider.network.name != "local":
        raise InputError("--account ALIAS is required on non-local networks")
    idx = account_index or 0
    test_accounts = accounts.test_accounts
    if not 0 <= idx < len(test_accounts):
        raise InputError(f"--account-index must be 0..{len(test_accounts) - 1}, got {idx}")
    return test_accounts[idx]


def sender_address(network: str, account_alias: str | None, account_index: int | None) -> str:
    """The sender's address without ape: an ape keyfile's address, or test account i of the mnemonic."""
    import json

    if account_alias:
        path = (
            Path(os.environ.get("APE_DATA_FOLDER", Path.home() / ".ape"))
            / "accounts"
            / f"{account_alias}.json"
        )
        if not path.is_file():
            raise InputError(f"no ape account named {account_alias!r} (see `ape accounts list`)")
        try:
            return to_checksum("0x" + json.loads(path.read_text())["address"].removeprefix("0x"))
        except (ValueError, KeyError):
            raise InputError(f"the ape keyfile {path} has no address") from None
    if not is_local(network):
        raise InputError("--account ALIAS is required on non-local networks")
    idx = account_index or 0
    if not 0 <= idx < 10:
        raise InputError(f"--account-index must be 0..9 (the devnet's test accounts), got {idx}")
    return TEST_ADDRESSES[idx]


# The first ten accounts of the test mnemonic ("test test ... junk"), as anvil and ape derive them.
TEST_ADDRESSES = (
    "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
    "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
    "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
    "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
    "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
    "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
)


def use_local_devnet_if_running(network: str, rpc: str | None = None) -> str | None:
    """For local networks: point ape at the devnet (never start a fresh, empty chain); returns its URL."""
    if not is_local(network):
        return None
    url = resolve_rpc(network, rpc)
    if os.environ.get("APE_FOUNDRY_HOST") == "auto":  # the test suite's own chain
        return url
    from agents.devnet import is_devnet

    if not is_devnet(url):
        raise RuntimeFailure(no_devnet_message(url))
    os.environ["APE_FOUNDRY_HOST"] = url
    return url


# --- lean sends (no ape) ---------------------------------------------------------------------------


def sender_key(network: str, account_alias: str | None, account_index: int | None) -> str:
    """The private key for --account ALIAS (ape's keyfile; passphrase from APE_ACCOUNTS_<ALIAS>_PASSPHRASE
    or a prompt) or --account-index N (the test mnemonic, local networks only)."""
    if account_alias:
        return key_from_ape_alias(account_alias)
    if not is_local(network):
        raise InputError("--account ALIAS is required on non-local networks")
    from agents.chain.signing import derive_key

    return derive_key(account_index or 0)


def key_from_ape_alias(alias: str) -> str:
    """Decrypt ape's keyfile for ALIAS (passphrase from APE_ACCOUNTS_<ALIAS>_PASSPHRASE or a prompt)."""
    from eth_account import Account

    path = Path(os.environ.get("APE_DATA_FOLDER", Path.home() / ".ape")) / "accounts" / f"{alias}.json"
    if not path.is_file():
        raise InputError(f"no ape account named {alias!r} ({path} missing)")
    env = f"APE_ACCOUNTS_{alias}_PASSPHRASE".upper()
    passphrase = os.environ.get(env) or click.prompt(f"passphrase for {alias}", hide_input=True)
    try:
        return "0x" + bytes(Account.decrypt(json.loads(path.read_text()), passphrase)).hex()
    except ValueError as exc:
        raise InputError(f"cannot decrypt the ape account {alias}: {exc}") from None


def lean_send(url: str, key: str, call: Any, gas: int) -> Any:
    """Sign and send an encoded call with the project's TxSender (web3 + coincurve, no ape); waits for the
    receipt and returns the TxResult. A reverted receipt is a RuntimeFailure naming the transaction."""
    from web3 import Web3

    from agents.chain.sender import TxResult, TxSender

    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 30}, exception_retry_configuration=None))
    for name in ("validation", "ens_name_to_address"):
        with contextlib.suppress(ValueError, KeyError):
            w3.middleware_onion.remove(name)
    result = TxSender(w3, key).send(to=call.to, data=call.data, gas=gas)
    if not isinstance(result, TxResult):  # send(wait=True), the default, returns the TxResult
        raise TypeError(f"TxSender.send returned {type(result).__name__}, not a TxResult")
    if int(result.receipt.get("status", 1)) != 1:
        raise RuntimeFailure(f"the transaction {result.tx_hash} reverted in block {result.block}")
    return result
