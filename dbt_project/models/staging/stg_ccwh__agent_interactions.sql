-- agent_call / agent_chat / agent_email / agent_sms: one interaction offered to one agent
-- (DESIGN §3).
with

source as (

    select * from {{ source('raw', 'events') }}
    where event_type in ('agent_call', 'agent_chat', 'agent_email', 'agent_sms')

),

renamed as (

    select
        cast(event_id as string) as event_id,
        cast(event_type as string) as event_type,
        cast(
            case event_type
                when 'agent_call' then 'call'
                when 'agent_chat' then 'chat'
                when 'agent_email' then 'email'
                when 'agent_sms' then 'sms'
            end as string
        ) as channel,
        cast(tenant_id as string) as tenant_id,
        cast(occurred_at as timestamp) as occurred_at,
        cast(received_at as timestamp) as received_at,

        cast({{ ccwh.json_str('data', 'interaction_id') }} as string) as interaction_id,
        cast({{ ccwh.json_str('data', 'agent_id') }} as string) as agent_id,
        cast({{ ccwh.json_str('data', 'direction') }} as string) as direction,
        cast({{ ccwh.json_str('data', 'queue_id') }} as string) as queue_id,
        cast({{ ccwh.json_str('data', 'campaign_id') }} as string) as campaign_id,
        cast({{ ccwh.json_str('data', 'contact_id') }} as string) as contact_id,
        cast({{ ccwh.json_str('data', 'organization_id') }} as string) as organization_id,

        {{ ccwh.parse_ts(ccwh.json_str('data', 'offered_at')) }} as offered_at,
        {{ ccwh.parse_ts(ccwh.json_str('data', 'answered_at')) }} as answered_at,
        {{ ccwh.parse_ts(ccwh.json_str('data', 'ended_at')) }} as ended_at,

        {{ dbt.safe_cast(ccwh.json_str('data', 'hold_seconds'), 'double') }} as hold_seconds,
        {{ dbt.safe_cast(ccwh.json_str('data', 'wrap_up_seconds'), 'double') }} as wrap_up_seconds,
        cast({{ ccwh.json_str('data', 'disposition_code') }} as string) as disposition_code,
        cast({{ ccwh.json_str('data', 'transferred_to_agent_id') }} as string) as transferred_to_agent_id,
        {{ dbt.safe_cast(ccwh.json_str('data', 'nps_score'), 'bigint') }} as nps_score

    from source

)

select * from renamed
