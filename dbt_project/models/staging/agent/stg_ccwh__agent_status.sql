-- agent_status: one agent state interval (logged_in, available, busy, wrap_up, break,
-- logged_out, ...) within one login session (DESIGN §3). ended_at is absent while the state
-- is still running or when the platform never closed it (a missing logout).
with

source as (

    select * from {{ source('raw', 'events') }}
    where event_type = 'agent_status'

),

renamed as (

    select
        cast(event_id as string) as event_id,
        cast(tenant_id as string) as tenant_id,
        cast(occurred_at as timestamp) as occurred_at,
        cast(received_at as timestamp) as received_at,

        cast({{ ccwh.json_str('data', 'agent_id') }} as string) as agent_id,
        cast({{ ccwh.json_str('data', 'session_id') }} as string) as session_id,
        cast({{ ccwh.json_str('data', 'status') }} as string) as status,
        cast({{ ccwh.json_str('data', 'reason_code') }} as string) as reason_code,

        {{ ccwh.parse_ts(ccwh.json_str('data', 'started_at')) }} as started_at,
        {{ ccwh.parse_ts(ccwh.json_str('data', 'ended_at')) }} as ended_at

    from source

)

select * from renamed
