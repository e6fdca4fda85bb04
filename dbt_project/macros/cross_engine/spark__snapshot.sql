{#
  Snapshots on Spark with parquet tables.

  dbt-spark's snapshot materialization refuses any file format but delta, iceberg and hudi:
  it applies the changes with MERGE INTO, which plain parquet tables do not support. Delta's
  jars are downloaded at run time, so offline there is only parquet (PORTABILITY.md). This is
  dbt-spark 1.11's materialization (dbt/include/spark/macros/materializations/snapshot.sql)
  with two changes: the join keys of a composite unique_key do not leak into the table
  (spark__snapshot_data_columns), and on a parquet table the MERGE is replaced by a rewrite
  of the whole snapshot table (spark__snapshot_rewrite_sql), which gives the same rows:

    1. create a parquet table <snapshot>__dbt_merged: every row of the snapshot, the
       current ones' valid_to set where the staging rows say 'update' or 'delete' (what
       MERGE's `when matched` does), plus the staging rows of change type 'insert' (MERGE's
       `when not matched`);
    2. insert overwrite the snapshot from it (a table cannot be overwritten from a query
       that reads it, hence the separate table), then drop it.

  The rewrite copies the whole table per run, fine for an audit table of the directory. It
  is not atomic (parquet has no transactions): a run that dies inside step 2 can leave the
  snapshot half written; the audit history is then lost and starts again after dropping
  the table. Delta/iceberg/hudi tables keep dbt-spark's MERGE.
#}
{#
  The staging view's columns that belong in the snapshot: not dbt_change_type, and none of
  the join keys dbt_unique_key / dbt_unique_key_<n>. dbt-spark leaves out only
  `dbt_unique_key`, so with a composite unique_key (this project's: tenant, entity, id) its
  second run added dbt_unique_key_1..3 to the table, after which the staging view's
  `select *, tenant_id as dbt_unique_key_1` is ambiguous and every later run fails.
#}
{% macro spark__snapshot_data_columns(columns) -%}
    {%- set kept = [] -%}
    {%- for column in columns -%}
        {%- set name = column.name | lower -%}
        {%- if name != 'dbt_change_type' and not name.startswith('dbt_unique_key') -%}
            {%- do kept.append(column) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(kept) }}
{%- endmacro %}


{% macro spark__snapshot_rewrite_sql(target, source, insert_cols) -%}
    {%- set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() -%}
    {%- set dest_columns = adapter.get_columns_in_relation(target) -%}
    {%- set valid_to = columns.dbt_valid_to -%}
    select
        {% for column in dest_columns -%}
            {%- if column.name | lower == valid_to | lower -%}
                case
                    when DBT_INTERNAL_SOURCE.{{ columns.dbt_scd_id }} is not null
                        then DBT_INTERNAL_SOURCE.{{ valid_to }}
                    else DBT_INTERNAL_DEST.{{ valid_to }}
                end as {{ adapter.quote(column.name) }}
            {%- else -%}
                DBT_INTERNAL_DEST.{{ adapter.quote(column.name) }}
            {%- endif -%}
            {{ ", " if not loop.last }}
        {% endfor %}
    from {{ target }} as DBT_INTERNAL_DEST
    left join (
        select {{ columns.dbt_scd_id }}, {{ valid_to }}
        from {{ source }}
        where dbt_change_type in ('update', 'delete')
    ) as DBT_INTERNAL_SOURCE
        on DBT_INTERNAL_SOURCE.{{ columns.dbt_scd_id }} = DBT_INTERNAL_DEST.{{ columns.dbt_scd_id }}
        {% if config.get("dbt_valid_to_current") %}
        and (DBT_INTERNAL_DEST.{{ valid_to }} = {{ config.get('dbt_valid_to_current') }}
             or DBT_INTERNAL_DEST.{{ valid_to }} is null)
        {% else %}
        and DBT_INTERNAL_DEST.{{ valid_to }} is null
        {% endif %}

    union all

    select
        {% for column in dest_columns -%}
            {{ adapter.quote(column.name) }}{{ ", " if not loop.last }}
        {% endfor %}
    from {{ source }}
    where dbt_change_type = 'insert'
{%- endmacro %}


{% materialization snapshot, adapter='spark' %}

  {%- set target_table = model.get('alias', model.get('name')) -%}

  {%- set strategy_name = config.get('strategy') -%}
  {%- set unique_key = config.get('unique_key') %}
  {%- set file_format = config.get('file_format') or 'parquet' -%}
  {%- set grant_config = config.get('grants') -%}

  {% set target_relation_exists, target_relation = get_or_create_relation(
          database=none,
          schema=model.schema,
          identifier=target_table,
          type='table') -%}

  {%- if file_format not in ['delta', 'iceberg', 'hudi', 'parquet'] -%}
    {% set invalid_format_msg -%}
      Invalid file format: {{ file_format }}
      Snapshots need file_format parquet (ccwh's rewrite), delta, iceberg or hudi (MERGE)
    {%- endset %}
    {% do exceptions.raise_compiler_error(invalid_format_msg) %}
  {% endif %}

  {%- set use_merge = file_format != 'parquet' -%}
  {%- if target_relation_exists and use_merge -%}
    {%- if not target_relation.is_delta and not target_relation.is_iceberg and not target_relation.is_hudi -%}
      {% set invalid_format_msg -%}
        The existing table {{ model.schema }}.{{ target_table }} is in another format than 'delta' or 'iceberg' or 'hudi'
      {%- endset %}
      {% do exceptions.raise_compiler_error(invalid_format_msg) %}
    {% endif %}
  {% endif %}

  {% if not adapter.check_schema_exists(model.database, model.schema) %}
    {% do create_schema(model.schema) %}
  {% endif %}

  {%- if not target_relation.is_table -%}
    {% do exceptions.relation_wrong_type(target_relation, 'table') %}
  {%- endif -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}

  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% set strategy_macro = strategy_dispatch(strategy_name) %}
  {% set strategy = strategy_macro(model, "snapshotted_data", "source_data", model['config'], target_relation_exists) %}

  {% if not target_relation_exists %}

      {% set build_sql = build_snapshot_table(strategy, model['compiled_code']) %}
      {% set final_sql = create_table_as(False, target_relation, build_sql) %}

  {% else %}

      {% set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() %}

      {{ adapter.valid_snapshot_target(target_relation, columns) }}

      {% set staging_table = spark_build_snapshot_staging_table(strategy, sql, target_relation) %}

      -- this may no-op if the database does not require column expansion
      {% do adapter.expand_target_column_types(from_relation=staging_table,
                                               to_relation=target_relation) %}

      {% set missing_columns = ccwh.spark__snapshot_data_columns(
            adapter.get_missing_columns(staging_table, target_relation)) %}

      {% do create_columns(target_relation, missing_columns) %}

      {% set source_columns = ccwh.spark__snapshot_data_columns(
            adapter.get_columns_in_relation(staging_table)) %}

      {% set quoted_source_columns = [] %}
      {% for column in source_columns %}
        {% do quoted_source_columns.append(adapter.quote(column.name)) %}
      {% endfor %}

      {% if use_merge %}
        {% set final_sql = snapshot_merge_sql(
              target = target_relation,
              source = staging_table,
              insert_cols = quoted_source_columns
           )
        %}
      {% else %}
        {%- set merged_relation = api.Relation.create(
              identifier=target_relation.identifier ~ '__dbt_merged',
              schema=target_relation.schema,
              database=none,
              type='table') -%}
        {% do adapter.drop_relation(merged_relation) %}
        {% call statement('snapshot_rewrite') %}
            {{ create_table_as(False, merged_relation,
                               spark__snapshot_rewrite_sql(target_relation, staging_table, quoted_source_columns)) }}
        {% endcall %}
        {% set final_sql %}
            insert overwrite table {{ target_relation }}
            select * from {{ merged_relation }}
        {% endset %}
      {% endif %}

  {% endif %}

  {% call statement('main') %}
      {{ final_sql }}
  {% endcall %}

  {% if merged_relation is defined %}
      {% do adapter.drop_relation(merged_relation) %}
  {% endif %}

  {% set should_revoke = should_revoke(target_relation_exists, full_refresh_mode) %}
  {% do apply_grants(target_relation, grant_config, should_revoke) %}

  {% do persist_docs(target_relation, model) %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}

  {{ adapter.commit() }}

  {% if staging_table is defined %}
      {% do post_snapshot(staging_table) %}
  {% endif %}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}

{% endmaterialization %}
