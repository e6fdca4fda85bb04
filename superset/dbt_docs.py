"""Descriptions of the marts and their columns, from the dbt project: the one source of truth.

``dbt_project/target/manifest.json`` is used when it is present and at least as new as every
``.yml`` under ``models/`` (it holds rendered ``{{ doc() }}`` blocks); otherwise the model
``.yml`` files are read directly. Nothing is copied by hand into the dashboards' sources.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
DBT_PROJECT = REPO / "dbt_project"


@dataclass
class ModelDoc:
    name: str
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _from_yml(project: Path) -> dict[str, ModelDoc]:
    docs: dict[str, ModelDoc] = {}
    for path in sorted((project / "models").rglob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError:
            continue  # a file someone is editing right now; the manifest path covers it later
        for model in data.get("models") or []:
            if not isinstance(model, dict) or "name" not in model:
                continue
            docs[model["name"]] = ModelDoc(
                name=model["name"],
                description=_clean(model.get("description")),
                columns={
                    c["name"]: _clean(c.get("description"))
                    for c in model.get("columns") or []
                    if isinstance(c, dict) and "name" in c
                },
            )
    return docs


def _from_manifest(manifest: Path) -> dict[str, ModelDoc]:
    data = json.loads(manifest.read_text())
    docs: dict[str, ModelDoc] = {}
    for node in data.get("nodes", {}).values():
        if node.get("resource_type") not in ("model", "seed"):
            continue
        docs[node["name"]] = ModelDoc(
            name=node["name"],
            description=_clean(node.get("description")),
            columns={n: _clean(c.get("description")) for n, c in node.get("columns", {}).items()},
        )
    return docs


def load(project: Path = DBT_PROJECT) -> dict[str, ModelDoc]:
    """model name -> its description and column descriptions."""
    manifest = project / "target" / "manifest.json"
    ymls = list((project / "models").rglob("*.yml"))
    newest_yml = max((p.stat().st_mtime for p in ymls), default=0.0)
    docs = _from_yml(project)
    if manifest.exists() and manifest.stat().st_mtime >= newest_yml:
        try:
            from_manifest = _from_manifest(manifest)
        except (OSError, ValueError):
            from_manifest = {}
        for name, doc in from_manifest.items():
            docs[name] = doc
    return docs
