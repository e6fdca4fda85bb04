-- directory: reference-data upserts (tenant, queue, agent, ... attributes), one row per event.
with

source as (

    select * from {{ source('raw', 'events') }}
    where event_type = 'directory'

),

renamed as (

    select
        cast(event_id as string) as event_id,
        cast(tenant_id as string) as tenant_id,
        cast(occurred_at as timestamp) as occurred_at,
        cast(received_at as timestamp) as received_at,

        cast({{ ccwh.json_str('data', 'entity') }} as string) as entity,
        cast({{ ccwh.json_str('data', 'id') }} as string) as entity_id,
        -- JSON text (a string on both engines; Spark has no JSON type): read a key with
        -- json_str('attributes', 'key').
        cast({{ ccwh.json_str('data', 'attributes') }} as string) as attributes

    from source

)

select * from renamed
