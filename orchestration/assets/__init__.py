"""Assets of the pipeline, one module per integration: ingest, dbt, publish."""
