{#
  directory_typed_attributes(): the directory attributes int_directory__history exposes as
  typed columns (docs/events.md "Directory attributes ccwh reads", plus names and the agent's
  CRM user id that communication_actions uses). One list, so the history model, the dims and
  the snapshot stay in step. Every value is a string.
#}
{% macro directory_typed_attributes() -%}
    {{ return([
        'name',
        'organization_id',
        'agent_group_id',
        'crm_user_id',
        'channel',
        'portfolio_id',
        'campaign_id',
        'reports_time_zone',
    ]) }}
{%- endmacro %}
