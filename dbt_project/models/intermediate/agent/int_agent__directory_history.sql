-- Validity ranges of the directory attributes only the agent marts read, which the shared
-- history (int_directory__history) does not type (one row per version):
--   agent.is_bot           true for an automated agent (bot) -> contacts attended by automation
--   agent_group.dc_numbers the Direct Connect numbers a skill group answers (skill-group summary)
-- A version is valid from its event's occurred_at until the next event of the same entity
-- that carries the same attribute (an upsert without the attribute leaves it unchanged).
-- The first known version also applies before its occurred_at (is_first_version), like
-- int_directory__history's as-of macros. Agent groups and portfolios come from
-- int_directory__history; see decisions/agent.md.
{%- set tracked = [
    ('agent', 'is_bot'),
    ('agent_group', 'dc_numbers'),
] %}
with

directory as (

    select * from {{ ref('stg_ccwh__directory') }}

),

attribute_events as (

    {% for entity, attribute in tracked %}
    select
        tenant_id,
        entity,
        entity_id,
        cast('{{ attribute }}' as string) as attribute,
        cast({{ ccwh.json_str('attributes', attribute) }} as string) as attribute_value,
        event_id,
        occurred_at,
        received_at
    from directory
    where entity = '{{ entity }}'
      and {{ ccwh.json_str('attributes', attribute) }} is not null
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

ordered as (

    select
        attribute_events.*,
        row_number() over (
            partition by tenant_id, entity, entity_id, attribute
            order by occurred_at asc nulls first, received_at asc nulls first, event_id asc nulls last
        ) as version_number
    from attribute_events

),

final as (

    select
        current_version.tenant_id,
        current_version.entity,
        current_version.entity_id,
        current_version.attribute,
        current_version.attribute_value,
        current_version.event_id,
        current_version.occurred_at as valid_from,
        next_version.occurred_at as valid_to,
        cast(current_version.version_number = 1 as boolean) as is_first_version,
        cast(current_version.version_number as bigint) as version_number
    from ordered as current_version
    left join ordered as next_version
        on current_version.tenant_id = next_version.tenant_id
        and current_version.entity = next_version.entity
        and current_version.entity_id = next_version.entity_id
        and current_version.attribute = next_version.attribute
        and next_version.version_number = current_version.version_number + 1

)

select * from final
