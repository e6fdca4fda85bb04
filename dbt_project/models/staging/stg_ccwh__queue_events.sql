-- queue_call / queue_chat / queue_email: one interaction's stay in one queue (DESIGN §3).
with

source as (

    select * from {{ source('raw', 'events') }}
    where event_type in ('queue_call', 'queue_chat', 'queue_email')

),

renamed as (

    select
        cast(event_id as string) as event_id,
        cast(event_type as string) as event_type,
        cast(
            case event_type
                when 'queue_call' then 'call'
                when 'queue_chat' then 'chat'
                when 'queue_email' then 'email'
            end as string
        ) as channel,
        cast(tenant_id as string) as tenant_id,
        cast(occurred_at as timestamp) as occurred_at,
        cast(received_at as timestamp) as received_at,

        cast({{ ccwh.json_str('data', 'interaction_id') }} as string) as interaction_id,
        cast({{ ccwh.json_str('data', 'queue_id') }} as string) as queue_id,
        cast({{ ccwh.json_str('data', 'portfolio_id') }} as string) as portfolio_id,
        cast({{ ccwh.json_str('data', 'contact_id') }} as string) as contact_id,
        cast({{ ccwh.json_str('data', 'organization_id') }} as string) as organization_id,
        cast({{ ccwh.json_str('data', 'agent_id') }} as string) as agent_id,
        cast({{ ccwh.json_str('data', 'outcome') }} as string) as outcome,

        {{ ccwh.parse_ts(ccwh.json_str('data', 'entered_at')) }} as entered_at,
        {{ ccwh.parse_ts(ccwh.json_str('data', 'answered_at')) }} as answered_at,
        {{ ccwh.parse_ts(ccwh.json_str('data', 'left_at')) }} as left_at

    from source

)

select * from renamed
