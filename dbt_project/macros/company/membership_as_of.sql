{#
  As-of joins to the directory history (int_directory__history), for any model:

    from events
    {{ ccwh.membership_as_of('events.tenant_id', 'events.contact_id', 'events.started_at') }}
    -- then membership.organization_id is the contact's organization at started_at

  directory_as_of(entity, tenant_id, entity_id, at, alias) renders a LEFT JOIN of the
  version of `entity` (e.g. 'agent', then alias.agent_group_id) valid at the UTC instant
  `at`: valid_from <= at < valid_to. Versions of one entity never overlap, so it matches at
  most one row and never multiplies the left side. An instant before the entity's first
  directory event uses that first version (directories are often loaded after the first
  interactions; the first known state is the best answer). A null id or instant matches
  nothing.

  membership_as_of(tenant_id, contact_id, at, alias='membership') is the contact case:
  alias.organization_id is the contact's organization at `at` (null when the contact has no
  organization then, or is not in the directory).
#}
{% macro directory_as_of(entity, tenant_id, entity_id, at, alias) -%}
    left join {{ ref('int_directory__history') }} as {{ alias }}
        on {{ alias }}.entity = '{{ entity }}'
        and {{ alias }}.tenant_id = {{ tenant_id }}
        and {{ alias }}.entity_id = {{ entity_id }}
        and {{ at }} is not null
        and ({{ alias }}.valid_from <= {{ at }} or {{ alias }}.is_first_version)
        and ({{ alias }}.valid_to is null or {{ at }} < {{ alias }}.valid_to)
{%- endmacro %}

{% macro membership_as_of(tenant_id, contact_id, at, alias='membership') -%}
    {{ ccwh.directory_as_of('contact', tenant_id, contact_id, at, alias) }}
{%- endmacro %}
