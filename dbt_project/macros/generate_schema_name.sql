{#
  Custom schema names are used as they are (staging, intermediate, reference), not prefixed
  with the target schema (dbt's default would give main_staging). Models without a custom
  schema (the marts) go to the target schema, `main`, so analysts query them unqualified.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
