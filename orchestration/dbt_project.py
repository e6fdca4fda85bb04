"""The dbt project as Dagster sees it; its own module so that preparing (``dbt parse``) does
not import the assets, which need the manifest to exist already (STACK.md)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from ccwh.paths import DBT_PROJECT_DIR

# The manifest is derived from code, not data, so it lives with the project (target/), shared
# by every data directory; each run's artifacts and logs go to <home>/dbt/ instead.
dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target_path="target",
)


def dbt_executable() -> str:
    """The virtualenv's dbt: PATH does not have it when the venv is not activated (CI)."""
    beside_python = Path(sys.executable).parent / "dbt"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("dbt") or str(beside_python)


def _prepared_for(project: DbtProject) -> Path:
    return project.project_dir / project.target_path / "ccwh_prepared_for.txt"


def prepare(project: DbtProject = dbt_project) -> None:
    """``dbt parse``: write the manifest the dbt assets are built from. Needs no warehouse."""
    DbtCliResource(project_dir=project, dbt_executable=dbt_executable()).cli(
        ["parse", "--quiet"], target_path=project.target_path
    ).wait()
    # dbt's partial-parse cache is only reused when the rendered profile (the warehouse path
    # in CCWH_WAREHOUSE) is the same; remember which one this parse was for.
    _prepared_for(project).write_text(os.environ.get("CCWH_WAREHOUSE", ""), encoding="utf-8")


def prepare_if_dev(project: DbtProject = dbt_project) -> None:
    """Re-parse on every code load under ``dagster dev`` so model edits show up.

    ``DbtProject.prepare_if_dev()`` does the same with ``dbt`` from PATH, which is not the
    venv's unless it is activated; this one uses the venv's executable.
    """
    if project.preparer.using_dagster_dev():
        prepare(project)


def manifest_is_stale(project: DbtProject = dbt_project) -> bool:
    """True if the manifest is missing, older than a file of the dbt project, or was parsed
    for another warehouse path than $CCWH_WAREHOUSE."""
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    marker = _prepared_for(project)
    if not marker.exists() or marker.read_text(encoding="utf-8") != os.environ.get(
        "CCWH_WAREHOUSE", ""
    ):
        return True  # parsed for another data directory: dbt would re-parse on every run
    built = manifest.stat().st_mtime
    skip = {"target", "logs", "dbt_packages"}
    for path in project.project_dir.rglob("*"):
        if skip.intersection(path.relative_to(project.project_dir).parts):
            continue
        if path.suffix in {".sql", ".yml", ".yaml", ".csv", ".md"} and path.stat().st_mtime > built:
            return True
    return False


prepare_if_dev()
