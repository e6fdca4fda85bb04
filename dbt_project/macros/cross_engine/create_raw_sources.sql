{#
  create_raw_sources(): make source('raw', 'events') exist on the engine (on-run-start hook).

  - DuckDB: nothing to do. The loader (ingestion/loader.py) owns raw.events, raw.loaded_days
    and raw.loaded_segments in the warehouse file.
  - Spark: raw.events is an external Parquet table over the raw lake the loader writes
    (ingestion/lake.py):

        <lake>/tenant_id=<t>/event_type=<e>/occurred_day=<YYYY-MM-DD>/*.parquet

    The files hold the other columns of raw.events; the three partition columns are only in
    the folder names (hive partitioning). `recover partitions` registers day folders that
    appeared since the last run: new loads add folders, never rewrite files. Spark puts the
    partition columns last; the staging models select columns by name, so the order does not
    matter. `data` is the JSON object's text (DuckDB's JSON type is text too). occurred_day
    (the UTC date of occurred_at) exists only here: it prunes the lake; models never read it.

  The lake path: var lake_dir, else $CCWH_LAKE_DIR, else $CCWH_HOME/lake/events (absolute
  paths; a cluster takes an hdfs://, s3a:// or abfss:// URI). The table is external
  (`location`), so dropping it never deletes the lake. An existing table keeps its location:
  each home has its own metastore (CCWH_SPARK_DIR), so one home is one lake.
#}
{% macro create_raw_sources() -%}
    {{ return(adapter.dispatch('create_raw_sources', 'ccwh')()) }}
{%- endmacro %}

{% macro default__create_raw_sources() -%}
{%- endmacro %}

{% macro raw_lake_location() -%}
    {#- like CCWH_SPARK_DIR's default in profiles.yml: an absolute path even without CCWH_HOME -#}
    {%- set home = env_var('CCWH_HOME', env_var('PWD', '.') ~ '/.ccwh') -%}
    {{- return(var('lake_dir', none) or env_var('CCWH_LAKE_DIR', home ~ '/lake/events')) -}}
{%- endmacro %}

{% macro spark__create_raw_sources() -%}
    {%- if execute -%}
        {%- set location = ccwh.raw_lake_location() -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- do run_query(
            "create table if not exists raw.events (
                event_id string,
                schema_version int,
                occurred_at timestamp,
                received_at timestamp,
                destination string,
                source string,
                data string,
                segment string,
                loaded_at timestamp,
                tenant_id string,
                event_type string,
                occurred_day date
            )
            using parquet
            partitioned by (tenant_id, event_type, occurred_day)
            location '" ~ location ~ "'"
        ) -%}
        {%- do run_query('alter table raw.events recover partitions') -%}
    {%- endif -%}
{%- endmacro %}
