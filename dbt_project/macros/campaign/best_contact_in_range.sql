{#
  best_contact_in_range(start_ts, end_ts, tenant_id, scope, scope_value, mode): Best Contact
  within a report's date range (seed 002: "only the best result within the date range of
  the report is shown"), for timeframes other than "entire campaign" (which the all_attempts
  and best_contact marts already hold).

  Arguments
    start_ts, end_ts  UTC timestamps as text ('2026-11-20 05:00:00'), the range
                      [start_ts, end_ts) on started_at; none = open on that side.
    tenant_id         the tenant (required by exports; none = every tenant).
    scope             'tenant' (default), 'campaign', 'sub_campaign' or 'list'.
    scope_value       the campaign_id / sub_campaign_id / list_id of that scope.
    mode              'best' (default): one row per tenant x campaign x client_id, the Best
                      Contact report; 'flag': every attempt in the range with best_contact
                      recomputed within it, the All Attempts report.
  Output: the columns of all_attempts (campaign_attempt_columns() + best_contact), ranked with
  best_contact_order() over the attempts that pass the range and scope filters (so a
  sub-campaign report ranks within the sub-campaign). Attempts without a client_id never win
  (best_contact 0), as in the marts.

  Use (the exports compile it against the published warehouse):
    dbt compile --inline "{{ '{{' }} best_contact_in_range('2026-11-20 05:00:00', '2026-11-21 05:00:00', 'acme-pl', 'campaign', 'acme-pl-cmp-renewals') {{ '}}' }}"
  or dbt show --inline ... to see rows.
#}
{% macro best_contact_in_range(start_ts=none, end_ts=none, tenant_id=none, scope='tenant', scope_value=none, mode='best') -%}
    {%- set scope_columns = {'campaign': 'campaign_id', 'sub_campaign': 'sub_campaign_id', 'list': 'list_id'} -%}
    {%- if scope != 'tenant' and scope not in scope_columns -%}
        {{ exceptions.raise_compiler_error(
            "best_contact_in_range: unknown scope '" ~ scope ~ "' (known: tenant, campaign, sub_campaign, list)") }}
    {%- endif -%}
    {%- if scope != 'tenant' and scope_value is none -%}
        {{ exceptions.raise_compiler_error(
            "best_contact_in_range: scope '" ~ scope ~ "' needs a scope_value (the " ~ scope_columns[scope] ~ ")") }}
    {%- endif -%}
    {%- if mode not in ('best', 'flag') -%}
        {{ exceptions.raise_compiler_error(
            "best_contact_in_range: unknown mode '" ~ mode ~ "' (known: best, flag)") }}
    {%- endif -%}
    {%- set columns = ccwh.campaign_attempt_columns() -%}
with

in_range as (

    select
        {{ columns | join(',\n        ') }}
    from {{ ref('all_attempts') }}
    where 1 = 1
    {%- if tenant_id is not none %}
      and tenant_id = {{ ccwh.sql_string_literal(tenant_id) }}
    {%- endif %}
    {%- if scope != 'tenant' %}
      and {{ scope_columns[scope] }} = {{ ccwh.sql_string_literal(scope_value) }}
    {%- endif %}
    {%- if start_ts is not none %}
      and started_at >= cast({{ ccwh.sql_string_literal(start_ts) }} as timestamp)
    {%- endif %}
    {%- if end_ts is not none %}
      and started_at < cast({{ ccwh.sql_string_literal(end_ts) }} as timestamp)
    {%- endif %}

),

ranked as (

    select
        in_range.*,
        case when client_id is null then cast(null as bigint) else row_number() over (
            partition by tenant_id, campaign_id, client_id
            order by {{ ccwh.best_contact_order() }}
        ) end as best_contact_rank
    from in_range

)

select
    {{ columns | join(',\n    ') }},
    cast(case when best_contact_rank = 1 then 1 else 0 end as bigint) as best_contact
from ranked
{%- if mode == 'best' %}
where best_contact_rank = 1
{%- endif %}
{%- endmacro %}

{#- sql_string_literal(value): value as a quoted SQL string literal, quotes doubled. -#}
{% macro sql_string_literal(value) -%}
    '{{ (value | string).replace("'", "''") }}'
{%- endmacro %}
