{#
  Seeds on Spark, replacing dbt-spark's spark__load_csv_rows for two bugs of its `session`
  method:

  - an empty CSV cell is bound as the string 'None' (dbt-adapters#487), so a nullable
    override column of tenant_settings would hold 'None' instead of null;
  - bound strings are pasted between quotes unescaped (dbt/adapters/spark/session.py
    `_fix_binding`), so a quote in a value ("sub-campaign's" in completion_statuses) breaks
    the insert.

  This override writes every value as an escaped string literal cast to the seed's declared
  column_types (PORTABILITY rule 9; dbt's inferred type for a column without one) and empty
  cells as `cast(null as <type>)`: no bindings, so the same SQL works on every connection
  method (session, thrift, http). Spark string literals take backslash escapes, so
  backslashes are doubled and quotes become \'. DuckDB uses dbt-duckdb's own seed loading.
#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_types = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for column_name in agate_table.column_names -%}
        {%- do types.append(column_types.get(column_name) or adapter.convert_type(agate_table, loop.index0)) -%}
    {%- endfor -%}
    {%- set statements = [] -%}

    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for column_name in agate_table.column_names -%}
                    {%- set value = row[loop.index0] -%}
                    {%- set column_type = types[loop.index0] -%}
                    {%- if value is none -%}
                        cast(null as {{ column_type }})
                    {%- else -%}
                        cast('{{ (value | string) | replace("\\", "\\\\") | replace("'", "\\'") }}' as {{ column_type }})
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}

        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}

    {{ return(statements[0] if statements else "") }}
{% endmacro %}
