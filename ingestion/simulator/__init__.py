"""``ccwh simulate``: a deterministic, seeded contact-centre event generator and sender.

Python API::

    from ingestion.simulator import SimConfig, generate, write_ndjson, send
    config = SimConfig(start=date(2026, 10, 19), days=7, seed=42)
    write_ndjson(generate(config), "events.ndjson")
    report = send(generate(config), "https://127.0.0.1:8443/events", token, cacert)

See docs/simulator.md.
"""

from ingestion.simulator.model import DEFAULT_TENANTS, SimConfig, TenantSpec, default_tenants
from ingestion.simulator.send import SendReport, send
from ingestion.simulator.stream import WriteReport, default_start, generate, write_ndjson

__all__ = [
    "DEFAULT_TENANTS",
    "SendReport",
    "SimConfig",
    "TenantSpec",
    "WriteReport",
    "default_start",
    "default_tenants",
    "generate",
    "send",
    "write_ndjson",
]
