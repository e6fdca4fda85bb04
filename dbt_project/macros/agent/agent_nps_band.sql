{#
  agent_nps_band(score): the Net Promoter band of a 0-10 score as a string:
  'promoter' (>= var agent_nps_promoter_min_score, default 9), 'detractor'
  (<= var agent_nps_detractor_max_score, default 6), 'passive' in between (7-8 by default);
  null for a null score. Out-of-range scores (the receiver refuses them) fall into the
  nearest band.
#}
{% macro agent_nps_band(score) -%}
    case
        when {{ score }} is null then cast(null as string)
        when {{ score }} >= {{ var('agent_nps_promoter_min_score', 9) }} then 'promoter'
        when {{ score }} <= {{ var('agent_nps_detractor_max_score', 6) }} then 'detractor'
        else 'passive'
    end
{%- endmacro %}
