{#
  Incremental marts by report day (PORTABILITY rule 8, DECISIONLOG "Incremental marts").

  report_day_incremental_config(key): the config of a mart that is replaced whole report day
  by whole report day. DuckDB: delete+insert on report_day (every row of each report day the
  run selected is deleted, then the day is inserted again); Spark: insert_overwrite of the
  report_day partitions, parquet. The model selects report_day as its last column (Spark moves
  the partition column there). `key` (the mart's row key) goes to meta.restatement_key: the
  Dagster restatement diff (orchestration/restatements.py) matches rows before and after a
  rebuild on it.
#}
{% macro report_day_incremental_config(key) -%}
    {%- set common = {
        'materialized': 'incremental',
        'on_schema_change': 'fail',
        'meta': {'restatement_key': key, 'partitioned_by': 'report_day'},
        'tags': ['report_day_partitioned'],
    } -%}
    {%- do common.update(ccwh.report_day_replace_config()) -%}
    {{ return(common) }}
{%- endmacro %}

{#
  report_day_replace_config(): how the engine replaces whole report days (adapter.dispatch,
  PORTABILITY rule 2). default/DuckDB: delete+insert keyed on report_day. Spark:
  insert_overwrite of the report_day partitions (dbt-spark sets
  spark.sql.sources.partitionOverwriteMode=dynamic, so only the days in the new data are
  replaced, like the DuckDB delete), parquet.
#}
{% macro report_day_replace_config() -%}
    {{ return(adapter.dispatch('report_day_replace_config', 'ccwh')()) }}
{%- endmacro %}

{% macro default__report_day_replace_config() -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': 'report_day'}) }}
{%- endmacro %}

{% macro spark__report_day_replace_config() -%}
    {{ return({
        'incremental_strategy': 'insert_overwrite',
        'partition_by': ['report_day'],
        'file_format': 'parquet',
    }) }}
{%- endmacro %}

{#
  report_day_window(column): the report days an incremental run rebuilds, as a predicate on
  the computed report day (never on UTC dates: a report day comes from the tenant's zone).

  - not incremental (first build, --full-refresh): every day (`1 = 1`);
  - vars min_date / max_date (report days, inclusive; one alone means that single day): that
    window — what a Dagster partition (or backfill range) passes;
  - var report_days (a list of 'YYYY-MM-DD'): exactly those days — what a Dagster run without
    a partition passes (the days the loader recorded since the last build);
  - no vars: the days of raw.loaded_days not built yet and not late (a late day, one already
    built and closed, is rebuilt only by its own partition run, which records the
    restatement). Without raw.loaded_days (report_day_window_without_loaded_days): nothing on
    DuckDB, where the loader always creates it; every day on Spark, where the loader's day
    bookkeeping does not exist (it lives in the DuckDB warehouse, not in the lake), so an
    incremental run without vars rebuilds all days: slower, never stale.
#}
{% macro report_day_window(column='report_day') -%}
    {%- set min_date = var('min_date', none) -%}
    {%- set max_date = var('max_date', none) -%}
    {%- set days = var('report_days', none) -%}
    {#- unit tests have no `this`: they test the full build -#}
    {%- if this is none or not is_incremental() -%}
        1 = 1
    {%- elif min_date is not none or max_date is not none -%}
        {{ column }} between cast('{{ min_date or max_date }}' as date)
            and cast('{{ max_date or min_date }}' as date)
    {%- elif days is not none -%}
        {%- if days | length == 0 -%}
            1 = 0
        {%- else -%}
            {{ column }} in (
                {%- for day in days %}cast('{{ day }}' as date){{ ", " if not loop.last }}{% endfor -%}
            )
        {%- endif -%}
    {%- else -%}
        {%- set loaded_days = adapter.get_relation(
            database=target.database, schema='raw', identifier='loaded_days'
        ) if execute else none -%}
        {%- if loaded_days is none -%}
            {{ ccwh.report_day_window_without_loaded_days() }}
        {%- else -%}
            {{ column }} in (
                select report_day from {{ loaded_days }}
                where built_at is null and not late
                  and report_day not in (
                      select report_day from {{ loaded_days }} where built_at is null and late
                  )
            )
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro report_day_window_without_loaded_days() -%}
    {{ return(adapter.dispatch('report_day_window_without_loaded_days', 'ccwh')()) }}
{%- endmacro %}

{% macro default__report_day_window_without_loaded_days() -%}
    1 = 0
{%- endmacro %}

{% macro spark__report_day_window_without_loaded_days() -%}
    1 = 1
{%- endmacro %}
