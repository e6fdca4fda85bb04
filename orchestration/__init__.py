"""Dagster orchestration of the pipeline: load → dbt build (+ tests as checks) → publish.

``definitions.py`` assembles the small modules here; ``build.py`` is ``ccwh build``.
"""
