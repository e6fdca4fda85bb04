-- contact_call / contact_chat / contact_email / contact_sms: one interaction or outbound
-- attempt seen from the contact's side (DESIGN §3), one row per event. Outbound campaign
-- attempts, filtered (never attempted) list records, inbound calls to a campaign number and
-- web chats all arrive here; the campaign models decide which of them they keep.
with

source as (

    select * from {{ source('raw', 'events') }}
    where event_type in ('contact_call', 'contact_chat', 'contact_email', 'contact_sms')

),

renamed as (

    select
        cast(event_id as string) as event_id,
        cast(event_type as string) as event_type,
        cast(
            case event_type
                when 'contact_call' then 'call'
                when 'contact_chat' then 'chat'
                when 'contact_email' then 'email'
                when 'contact_sms' then 'sms'
            end as string
        ) as channel,
        cast(tenant_id as string) as tenant_id,
        cast(occurred_at as timestamp) as occurred_at,
        cast(received_at as timestamp) as received_at,

        cast({{ ccwh.json_str('data', 'interaction_id') }} as string) as interaction_id,
        cast({{ ccwh.json_str('data', 'contact_id') }} as string) as contact_id,
        cast({{ ccwh.json_str('data', 'organization_id') }} as string) as organization_id,
        cast({{ ccwh.json_str('data', 'direction') }} as string) as direction,
        cast({{ ccwh.json_str('data', 'campaign_id') }} as string) as campaign_id,
        cast({{ ccwh.json_str('data', 'sub_campaign_id') }} as string) as sub_campaign_id,
        cast({{ ccwh.json_str('data', 'list_id') }} as string) as list_id,
        cast({{ ccwh.json_str('data', 'client_id') }} as string) as client_id,
        cast({{ ccwh.json_str('data', 'device') }} as string) as device,
        cast({{ ccwh.json_str('data', 'pass_type') }} as string) as pass_type,
        cast({{ ccwh.json_str('data', 'completion_status') }} as string) as completion_status,

        {{ ccwh.parse_ts(ccwh.json_str('data', 'started_at')) }} as started_at,
        {{ ccwh.parse_ts(ccwh.json_str('data', 'connected_at')) }} as connected_at,
        {{ ccwh.parse_ts(ccwh.json_str('data', 'bridged_at')) }} as bridged_at,
        {{ ccwh.parse_ts(ccwh.json_str('data', 'ended_at')) }} as ended_at,
        {{ dbt.safe_cast(ccwh.json_str('data', 'talk_seconds'), 'double') }} as talk_seconds,
        -- The Direct Connect attempts as JSON text (null when absent); one row each in
        -- stg_ccwh__dc_attempts.
        cast({{ ccwh.json_str('data', 'dc_attempts') }} as string) as dc_attempts

    from source

)

select * from renamed
