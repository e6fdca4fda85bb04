{#
  Customer Engagement Load (DESIGN §4, seed 004), per organization over a period.

  engagement_load(inbound, outbound, chat, tickets, avg_resolution): load in seconds =
  inbound talk s + outbound talk s + chat s + tickets x the tenant's average ticket
  resolution seconds in the period; an unknown average (no ticket resolved in the period)
  adds 0 for tickets (decisions/company.md).

  cel_score(load, min_load, max_load): round(100 x (load - min) / (max - min)), min and max
  over the organizations active in the period; when max = min (one organization, or all
  equal): 100 if load > 0 else 0. bigint 0..100, null when load is null (not active).

  cel_band(cel): 0-20 Low, 21-50 Medium, 51-80 High, 81-100 Critical (seed 004's levels).
#}
{% macro engagement_load(inbound, outbound, chat, tickets, avg_resolution) -%}
    cast(
        coalesce({{ inbound }}, 0) + coalesce({{ outbound }}, 0) + coalesce({{ chat }}, 0)
        + coalesce({{ tickets }}, 0) * coalesce({{ avg_resolution }}, 0)
    as double)
{%- endmacro %}

{% macro cel_score(load, min_load, max_load) -%}
    cast(
        case
            when {{ load }} is null then null
            when {{ max_load }} = {{ min_load }} then case when {{ load }} > 0 then 100 else 0 end
            else round(
                100 * ({{ load }} - {{ min_load }}) / ({{ max_load }} - {{ min_load }})
            )
        end
    as bigint)
{%- endmacro %}

{% macro cel_band(cel) -%}
    cast(
        case
            when {{ cel }} is null then null
            when {{ cel }} <= 20 then 'Low'
            when {{ cel }} <= 50 then 'Medium'
            when {{ cel }} <= 80 then 'High'
            else 'Critical'
        end
    as string)
{%- endmacro %}
