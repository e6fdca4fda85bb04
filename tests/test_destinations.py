"""The destinations file: validation with line numbers, authentication, the CLI."""

from __future__ import annotations

import base64
import hashlib

import pytest
from receiver_fixtures import DESTINATIONS_YAML, OTHER_TOKEN, TOKEN, ccwh, write_destinations

from ingestion.destinations import (
    DestinationsError,
    bearer_token,
    load_destinations,
    summary,
    token_digest_hex,
)

ENV = {"CCWH_TEST_PARTNER_TOKEN": OTHER_TOKEN}
HEX = hashlib.sha256(b"t").hexdigest()


def problems(tmp_path, text: str, env: dict | None = None) -> list[str]:
    path = tmp_path / "destinations.yaml"
    path.write_text(text)
    with pytest.raises(DestinationsError) as exc:
        load_destinations(path, env=ENV if env is None else env)
    return exc.value.problems


def test_valid_file_loads(tmp_path):
    path = tmp_path / "destinations.yaml"
    path.write_text(DESTINATIONS_YAML)
    dests = load_destinations(path, env=ENV)
    central = dests.by_name["central"]
    assert central.tenants == {"acme", "globex", "initech"}
    assert central.refusal("acme", "ticket") is None
    assert central.refusal("globex", "queue_call") is None
    assert "does not route" in central.refusal("globex", "ticket")
    assert "does not route" in central.refusal("initech", "ticket")  # allowed, routes nothing
    assert "not allowed" in central.refusal("umbrella", "ticket")
    assert any("initech: routes nothing here" in line for line in summary(dests))


def test_authenticate_bearer_basic_and_wrong(tmp_path):
    path = tmp_path / "destinations.yaml"
    path.write_text(DESTINATIONS_YAML)
    dests = load_destinations(path, env=ENV)
    assert dests.authenticate(f"Bearer {TOKEN}".encode()).name == "central"
    assert dests.authenticate(f"bearer {OTHER_TOKEN}").name == "partner"
    basic = base64.b64encode(f"user:{TOKEN}".encode()).decode()
    assert dests.authenticate(f"Basic {basic}").name == "central"
    assert dests.authenticate("Bearer nope") is None
    assert dests.authenticate(None) is None
    assert dests.authenticate("Basic !!!") is None
    assert bearer_token(b"Token abc") is None


def test_every_problem_names_the_line_and_the_fix(tmp_path):
    text = (
        "destinations:\n"  # 1
        "  central:\n"  # 2
        f'    token_sha256: "{HEX}"\n'  # 3
        "    tenants: [acme]\n"  # 4
        "    colour: blue\n"  # 5
        "  nocreds:\n"  # 6
        "    tenants: [acme]\n"  # 7
        "  envdest:\n"  # 8
        "    token_env: NOT_SET_ANYWHERE\n"  # 9
        "    tenants: [acme]\n"  # 10
        "  badhex:\n"  # 11
        "    token_sha256: plaintext-token\n"  # 12
        "    tenants: [acme]\n"  # 13
        "routes:\n"  # 14
        "  acme:\n"  # 15
        "    central: [queue_call, queue_sms]\n"  # 16
        "    elsewhere: ['*']\n"  # 17
        "  globex:\n"  # 18
        "    central: ['*']\n"  # 19
        "extra: 1\n"  # 20
    )
    found = problems(tmp_path, text, env={})
    expected = [
        "destinations.yaml:5: destination 'central': unknown key 'colour'",
        "destinations.yaml:6: destination 'nocreds': no credentials",
        "destinations.yaml:9: destination 'envdest': environment variable NOT_SET_ANYWHERE",
        "destinations.yaml:12: destination 'badhex': token_sha256 must be 64 hex digits",
        "destinations.yaml:16: destination 'central': unknown event type 'queue_sms' for tenant "
        "'acme' (known: agent_call,",
        "destinations.yaml:17: routes: tenant 'acme' -> destination 'elsewhere': unknown "
        "destination 'elsewhere'",
        "destinations.yaml:19: routes: tenant 'globex' -> destination 'central': tenant 'globex' "
        "is not allowed for destination 'central'",
        "destinations.yaml:20: top level: unknown key 'extra'",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in found), (start, found)
    assert len(found) == len(expected)


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(DestinationsError) as exc:
        load_destinations(tmp_path / "absent.yaml")
    assert "no destinations file" in exc.value.problems[0]
    found = problems(tmp_path, "destinations:\n  central: [unclosed\n")
    assert found[0].startswith("destinations.yaml:") and "not valid YAML" in found[0]


def test_shared_token_is_refused(tmp_path):
    text = (
        f'destinations:\n  a:\n    token_sha256: "{HEX}"\n    tenants: [x]\n'
        f'  b:\n    token_sha256: "{HEX}"\n    tenants: [x]\n'
    )
    assert any("share one token" in p for p in problems(tmp_path, text))


def test_cli_check_hash_token_and_init(tmp_path):
    home = tmp_path / "home"
    write_destinations(home)
    ok = ccwh(home, "destinations", "check")
    assert ok.returncode == 0, ok.stderr
    assert "destination central" in ok.stdout and "acme: all event types" in ok.stdout

    bad = tmp_path / "bad.yaml"
    bad.write_text("destinations:\n  x:\n    tenants: [a]\n")
    result = ccwh(home, "destinations", "check", str(bad))
    assert result.returncode == 1
    assert "bad.yaml:2: destination 'x': no credentials" in result.stderr

    hashed = ccwh(home, "destinations", "hash-token", input="s3cret\n")
    assert hashed.stdout.strip() == f'token_sha256: "{token_digest_hex("s3cret")}"'

    generated = ccwh(home, "destinations", "hash-token", "--generate")
    token = generated.stderr.strip().rsplit(" ", 1)[-1]
    assert generated.stdout.strip() == f'token_sha256: "{token_digest_hex(token)}"'

    fresh = tmp_path / "fresh"
    init = ccwh(fresh, "destinations", "init", "--tenant", "acme")
    assert init.returncode == 0
    new_token = init.stdout.strip().rsplit(" ", 1)[-1]
    text = (fresh / "config" / "destinations.yaml").read_text()
    assert new_token not in text and token_digest_hex(new_token) in text
    dests = load_destinations(fresh / "config" / "destinations.yaml")
    assert dests.authenticate(f"Bearer {new_token}").name == "central"
    assert ccwh(fresh, "destinations", "init", "--tenant", "acme").returncode == 1  # no clobber
