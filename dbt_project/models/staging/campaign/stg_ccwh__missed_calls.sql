-- missed_call: a call nobody answered (DESIGN §3), one row per event.
with

source as (

    select * from {{ source('raw', 'events') }}
    where event_type = 'missed_call'

),

renamed as (

    select
        cast(event_id as string) as event_id,
        cast(tenant_id as string) as tenant_id,
        cast(occurred_at as timestamp) as occurred_at,
        cast(received_at as timestamp) as received_at,

        cast({{ ccwh.json_str('data', 'interaction_id') }} as string) as interaction_id,
        cast({{ ccwh.json_str('data', 'device') }} as string) as device,
        cast({{ ccwh.json_str('data', 'contact_id') }} as string) as contact_id,
        cast({{ ccwh.json_str('data', 'queue_id') }} as string) as queue_id,
        cast({{ ccwh.json_str('data', 'agent_id') }} as string) as agent_id,
        {{ ccwh.parse_ts(ccwh.json_str('data', 'missed_at')) }} as missed_at,
        cast({{ ccwh.json_str('data', 'reason') }} as string) as reason

    from source

)

select * from renamed
