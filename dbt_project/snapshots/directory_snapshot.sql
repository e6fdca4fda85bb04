{#
  Audit trail of the directory as the warehouse saw it at each build (issue 3 item 1 asks
  for directory snapshots). Reports never read it: they use int_directory__history, the
  exact history rebuilt from the event log (a snapshot only sees the state at each run, so
  it loses two changes inside one load and cannot place a late event). See
  decisions/company.md. On Spark it is a parquet table: dbt-spark's own snapshot needs
  Delta/Hudi (not available offline), so macros/cross_engine/spark__snapshot.sql applies the
  changes by rewriting the table instead of MERGE.
#}
{% snapshot directory_snapshot %}

{{
    config(
        target_schema='snapshots',
        unique_key=['tenant_id', 'entity', 'entity_id'],
        strategy='check',
        check_cols='all',
    )
}}

select * from {{ ref('int_directory__current') }}

{% endsnapshot %}
