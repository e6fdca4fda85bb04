"""The destinations file: who may send, for which tenants, and which event types go where.

DESIGN §3 has two stages, and the file has one section for each:

    destinations:            # stage 1, the platform owner: endpoints and their credentials
      central:
        token_sha256: "<hex sha256 of the bearer token>"   # or token_env: CENTRAL_TOKEN
        tenants: [acme, globex]
    routes:                  # stage 2, each tenant: event types per destination
      acme:
        central: ["*"]       # or a list of event types

Secrets are never in the file: only sha256 digests of tokens, or names of environment
variables that hold them. Every problem is reported with the file, the line and the fix,
all at once, so one edit round fixes the file (docs/receiver.md describes the format).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ingestion.schemas import EVENT_TYPES

ALL_TYPES = "*"
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_DESTINATION_KEYS = ("token_sha256", "token_env", "tenants", "description")
_TOP_KEYS = ("destinations", "routes")


class DestinationsError(Exception):
    """The destinations file is invalid; ``problems`` holds one ``file:line: message`` each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Destination:
    name: str
    tenants: frozenset[str]
    # tenant -> event types it routes here; ALL_TYPES in the set means every type
    routes: dict[str, frozenset[str]] = field(default_factory=dict)
    token_digests: tuple[bytes, ...] = ()
    description: str = ""

    def refusal(self, tenant_id: str, event_type: str) -> str | None:
        """Why this destination refuses the event (a 403 message), or None if it takes it."""
        if tenant_id not in self.tenants:
            return f"tenant {tenant_id!r} is not allowed for destination {self.name!r}"
        routed = self.routes.get(tenant_id)
        if routed is None or (ALL_TYPES not in routed and event_type not in routed):
            return (
                f"tenant {tenant_id!r} does not route event type {event_type!r} to "
                f"destination {self.name!r} (see routes: in the destinations file)"
            )
        return None


@dataclass(frozen=True)
class Destinations:
    path: Path
    by_name: dict[str, Destination]

    def authenticate(self, authorization: bytes | str | None) -> Destination | None:
        """The destination whose token the Authorization header carries, or None.

        Accepts ``Bearer <token>`` and HTTP Basic with the token as the password (any user
        name). Every stored digest is compared, in constant time, so the answer's timing says
        nothing about which destination (if any) came close.
        """
        token = bearer_token(authorization)
        if token is None:
            return None
        digest = hashlib.sha256(token).digest()
        found = None
        for dest in self.by_name.values():
            for known in dest.token_digests:
                if hmac.compare_digest(digest, known):
                    found = dest
        return found


def bearer_token(authorization: bytes | str | None) -> bytes | None:
    """The token in an Authorization header value (Bearer, or Basic's password), or None."""
    if not authorization:
        return None
    if isinstance(authorization, str):
        authorization = authorization.encode("latin-1", "replace")
    scheme, _, value = authorization.strip().partition(b" ")
    scheme = scheme.lower()
    value = value.strip()
    if scheme == b"bearer":
        return value or None
    if scheme == b"basic":
        try:
            decoded = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return None
        _user, sep, password = decoded.partition(b":")
        return password if sep and password else None
    return None


def token_digest_hex(token: str | bytes) -> str:
    """The value to put in ``token_sha256:`` for this token."""
    if isinstance(token, str):
        token = token.encode()
    return hashlib.sha256(token).hexdigest()


# --- loading and validation ----------------------------------------------------------------


class _Checker:
    """Walks the YAML node tree, collecting problems with their line numbers."""

    def __init__(self, path: Path, env: dict[str, str]):
        self.path = path
        self.env = env
        self.problems: list[str] = []

    def problem(self, node: yaml.Node | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.problems.append(f"{self.path.name}:{line}: {message}")

    def mapping(self, node: yaml.Node, what: str) -> list[tuple[yaml.ScalarNode, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping (key: value lines)")
            return []
        pairs = []
        seen: set[str] = set()
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                self.problem(key, f"{what}: keys must be plain names")
                continue
            if key.value in seen:
                self.problem(key, f"{what}: {key.value!r} appears twice; keep one")
                continue
            seen.add(key.value)
            pairs.append((key, value))
        return pairs

    def strings(self, node: yaml.Node, what: str) -> list[tuple[yaml.Node, str]]:
        """A scalar or a list of scalars, as (node, text) pairs."""
        if isinstance(node, yaml.ScalarNode):
            items: list[yaml.Node] = [node]
        elif isinstance(node, yaml.SequenceNode):
            items = list(node.value)
        else:
            self.problem(node, f"{what} must be a name or a list of names")
            return []
        out = []
        for item in items:
            if not isinstance(item, yaml.ScalarNode) or item.value == "":
                self.problem(item, f"{what}: each entry must be a non-empty name")
            else:
                out.append((item, item.value))
        return out

    def unknown_key(self, key: yaml.ScalarNode, where: str, known: tuple[str, ...]) -> None:
        self.problem(key, f"{where}: unknown key {key.value!r} (known: {', '.join(known)})")

    def destination(self, key: yaml.ScalarNode, node: yaml.Node) -> tuple | None:
        name = key.value
        where = f"destination {name!r}"
        if not _NAME.fullmatch(name):
            self.problem(key, f"{where}: names use letters, digits, '_', '.', '-' (max 64)")
        digests: list[bytes] = []
        tenants: set[str] = set()
        description = ""
        has_credentials = False
        tenants_node = None
        for k, v in self.mapping(node, where):
            if k.value == "token_sha256":
                has_credentials = True
                for item, text in self.strings(v, f"{where}: token_sha256"):
                    if _HEX64.fullmatch(text):
                        digests.append(bytes.fromhex(text))
                    else:
                        self.problem(
                            item,
                            f"{where}: token_sha256 must be 64 hex digits; make one with "
                            "`ccwh destinations hash-token` (never put the token itself here)",
                        )
            elif k.value == "token_env":
                has_credentials = True
                for item, var in self.strings(v, f"{where}: token_env"):
                    token = self.env.get(var)
                    if not token:
                        self.problem(
                            item,
                            f"{where}: environment variable {var} (token_env) is not set or "
                            f"empty; export {var}=<token> before starting, or use token_sha256",
                        )
                    else:
                        digests.append(hashlib.sha256(token.encode()).digest())
            elif k.value == "tenants":
                tenants_node = v
                for item, text in self.strings(v, f"{where}: tenants"):
                    if text in tenants:
                        self.problem(item, f"{where}: tenant {text!r} listed twice")
                    tenants.add(text)
            elif k.value == "description":
                description = str(getattr(v, "value", ""))
            else:
                self.unknown_key(k, where, _DESTINATION_KEYS)
        if not has_credentials:
            self.problem(
                key,
                f"{where}: no credentials; add token_sha256: <hex> (from `ccwh destinations "
                "hash-token`) or token_env: <VARIABLE holding the token>",
            )
        if tenants_node is None:
            self.problem(key, f"{where}: no tenants; add tenants: [<tenant_id>, ...]")
        elif not tenants and isinstance(tenants_node, yaml.SequenceNode):
            self.problem(tenants_node, f"{where}: tenants is empty; list the allowed tenant_ids")
        return (name, frozenset(tenants), tuple(digests), description)

    def routes(
        self, node: yaml.Node, dests: dict[str, tuple]
    ) -> dict[str, dict[str, frozenset[str]]]:
        """destination -> tenant -> event types."""
        out: dict[str, dict[str, frozenset[str]]] = {name: {} for name in dests}
        known_types = ", ".join(EVENT_TYPES)
        for tenant_key, per_dest in self.mapping(node, "routes"):
            tenant = tenant_key.value
            for dest_key, types_node in self.mapping(per_dest, f"routes for tenant {tenant!r}"):
                dest = dest_key.value
                where = f"tenant {tenant!r} -> destination {dest!r}"
                if dest not in dests:
                    known = ", ".join(dests) or "none defined"
                    self.problem(
                        dest_key,
                        f"routes: {where}: unknown destination {dest!r} (known: {known}); "
                        "define it under destinations: or fix the name",
                    )
                    continue
                if tenant not in dests[dest][1]:
                    self.problem(
                        dest_key,
                        f"routes: {where}: tenant {tenant!r} is not allowed for destination "
                        f"{dest!r}; add it to that destination's tenants: or remove this route",
                    )
                    continue
                types: set[str] = set()
                for item, text in self.strings(types_node, f"routes: {where}"):
                    if text == ALL_TYPES or text in EVENT_TYPES:
                        types.add(text)
                    else:
                        self.problem(
                            item,
                            f"destination {dest!r}: unknown event type {text!r} for tenant "
                            f"{tenant!r} (known: {known_types}, or '*' for all)",
                        )
                if not types and isinstance(types_node, yaml.SequenceNode) and not types_node.value:
                    self.problem(
                        types_node,
                        f"routes: {where}: no event types listed; list some, use ['*'], or "
                        "remove the route",
                    )
                out[dest][tenant] = frozenset(types)
        return out


def load_destinations(
    path: str | os.PathLike[str], env: dict[str, str] | None = None
) -> Destinations:
    """Read and validate a destinations file; raises DestinationsError listing every problem."""
    path = Path(path)
    env = dict(os.environ) if env is None else env
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DestinationsError(
            [
                f"{path}: no destinations file; create one (see docs/receiver.md, or run "
                "`ccwh destinations init --tenant <tenant_id>`), or pass --destinations FILE"
            ]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DestinationsError([f"{path}: cannot read: {exc}"]) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        raise DestinationsError([f"{path.name}:{line}: not valid YAML: {reason}"]) from None
    checker = _Checker(path, env)
    if root is None:
        raise DestinationsError(
            [f"{path.name}:1: the file is empty; add destinations: and routes:"]
        )
    dests: dict[str, tuple] = {}
    routes_node = None
    dest_node = None
    for key, value in checker.mapping(root, "the file"):
        if key.value == "destinations":
            dest_node = value
            for name_key, body in checker.mapping(value, "destinations"):
                dests[name_key.value] = checker.destination(name_key, body) or ()
        elif key.value == "routes":
            routes_node = value
        else:
            checker.unknown_key(key, "top level", _TOP_KEYS)
    if dest_node is None:
        checker.problem(root, "no destinations: section; define at least one destination")
    elif not dests and not checker.problems:
        checker.problem(dest_node, "destinations: is empty; define at least one destination")
    routes = checker.routes(routes_node, dests) if routes_node is not None else {}
    _check_shared_tokens(checker, dests, root)
    if checker.problems:
        raise DestinationsError(checker.problems)
    by_name = {
        name: Destination(
            name=name,
            tenants=tenants,
            routes=routes.get(name, {}),
            token_digests=digests,
            description=description,
        )
        for name, (_, tenants, digests, description) in dests.items()
    }
    return Destinations(path=path, by_name=by_name)


def _check_shared_tokens(checker: _Checker, dests: dict[str, tuple], root: yaml.Node) -> None:
    # A token must identify exactly one destination, or routing would depend on dict order.
    owner: dict[bytes, str] = {}
    for name, (_, _, digests, _) in dests.items():
        for digest in digests:
            if digest in owner and owner[digest] != name:
                checker.problem(
                    root,
                    f"destinations {owner[digest]!r} and {name!r} share one token; give each "
                    "destination its own token",
                )
            owner[digest] = name


def summary(dests: Destinations) -> list[str]:
    """Human-readable lines describing what the file allows, with notes on dead ends."""
    lines = []
    for dest in dests.by_name.values():
        lines.append(
            f"destination {dest.name}: {len(dest.token_digests)} token(s), "
            f"tenants {', '.join(sorted(dest.tenants))}"
        )
        for tenant in sorted(dest.tenants):
            routed = dest.routes.get(tenant)
            if not routed:
                lines.append(f"  {tenant}: routes nothing here (its events get 403)")
            elif ALL_TYPES in routed:
                lines.append(f"  {tenant}: all event types")
            else:
                lines.append(f"  {tenant}: {', '.join(sorted(routed))}")
    return lines
