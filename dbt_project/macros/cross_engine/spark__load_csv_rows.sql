{#
  Seeds on Spark: dbt-spark binds an empty CSV cell as the string 'None' (dbt-adapters#487),
  so a nullable override column of tenant_settings would hold 'None' instead of null. This
  override writes `cast(null as <type>)` for empty cells and casts every other value to the
  seed's declared column_types (PORTABILITY rule 9). Not exercised until the spark target
  exists; DuckDB uses dbt-duckdb's own seed loading.
#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_types = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}

    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set bindings = [] -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for column_name in agate_table.column_names -%}
                    {%- set value = row[loop.index0] -%}
                    {%- set column_type = column_types.get(column_name) -%}
                    {%- if value is none -%}
                        cast(null as {{ column_type or 'string' }})
                    {%- else -%}
                        {%- do bindings.append(value) -%}
                        {%- if column_type -%}
                            cast({{ get_binding_char() }} as {{ column_type }})
                        {%- else -%}
                            {{ get_binding_char() }}
                        {%- endif -%}
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}

        {%- do adapter.add_query(sql, bindings=bindings, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}

    {{ return(statements[0] if statements else "") }}
{% endmacro %}
