-- Exact SCD2 history of every directory entity, rebuilt from the whole event log on each run:
-- one row per directory event (a version) per tenant x entity x entity_id, valid from the
-- event's occurred_at until the next version's. Rebuilding from the log (instead of a dbt
-- snapshot) keeps every change, also two within one load, and puts a late event in its
-- place in time (decisions/company.md).
--
-- Upsert semantics for the typed columns: an attribute the event does not send keeps its
-- previous value; an attribute sent as null clears it. `attributes` is the event's own JSON.
{%- set typed = ccwh.directory_typed_attributes() %}
with

directory as (

    select * from {{ ref('stg_ccwh__directory') }}

),

versions as (

    select
        event_id,
        tenant_id,
        entity,
        entity_id,
        occurred_at,
        received_at,
        attributes,
        {%- for attr in typed %}
        {{ ccwh.json_has_key('attributes', attr) }} as has_{{ attr }},
        cast({{ ccwh.json_str('attributes', attr) }} as string) as sent_{{ attr }},
        {%- endfor %}
        row_number() over (
            partition by tenant_id, entity, entity_id
            order by
                occurred_at asc nulls first,
                received_at asc nulls first,
                event_id asc nulls last
        ) as version_number
    from directory

),

-- For each typed attribute, the versions since (and including) the last one that sent it
-- form a group; the value sent at the start of the group holds for all of it.
grouped as (

    select
        versions.*,
        {%- for attr in typed %}
        sum(case when has_{{ attr }} then 1 else 0 end) over (
            partition by tenant_id, entity, entity_id
            order by version_number asc nulls last
            rows between unbounded preceding and current row
        ) as group_{{ attr }},
        {%- endfor %}
        lead(occurred_at) over (
            partition by tenant_id, entity, entity_id
            order by version_number asc nulls last
        ) as next_occurred_at
    from versions

),

merged as (

    select
        event_id,
        tenant_id,
        entity,
        entity_id,
        version_number,
        occurred_at,
        next_occurred_at,
        attributes,
        {%- for attr in typed %}
        max(case when has_{{ attr }} then sent_{{ attr }} end) over (
            partition by tenant_id, entity, entity_id, group_{{ attr }}
        ) as {{ attr }}{{ "," if not loop.last }}
        {%- endfor %}
    from grouped

),

final as (

    select
        tenant_id,
        cast(entity as string) as entity,
        cast(entity_id as string) as entity_id,
        cast(version_number as bigint) as version_number,
        cast(occurred_at as timestamp) as valid_from,
        cast(next_occurred_at as timestamp) as valid_to,
        cast(next_occurred_at is null as boolean) as is_current,
        cast(version_number = 1 as boolean) as is_first_version,
        event_id,
        cast(attributes as string) as attributes,
        {%- for attr in typed %}
        cast({{ attr }} as string) as {{ attr }}{{ "," if not loop.last }}
        {%- endfor %}
    from merged

)

select * from final
