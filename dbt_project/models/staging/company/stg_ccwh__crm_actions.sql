-- crm_action: a call result logged to the CRM (seed 001 "Kommunikationsåtgärder"), one row
-- per event.
with

source as (

    select * from {{ source('raw', 'events') }}
    where event_type = 'crm_action'

),

renamed as (

    select
        cast(event_id as string) as event_id,
        cast(tenant_id as string) as tenant_id,
        cast(occurred_at as timestamp) as occurred_at,
        cast(received_at as timestamp) as received_at,

        cast({{ ccwh.json_str('data', 'action_id') }} as string) as action_id,
        cast({{ ccwh.json_str('data', 'crm_user_id') }} as string) as crm_user_id,
        cast({{ ccwh.json_str('data', 'campaign_id') }} as string) as campaign_id,
        cast({{ ccwh.json_str('data', 'organization_id') }} as string) as organization_id,
        cast({{ ccwh.json_str('data', 'contact_id') }} as string) as contact_id,
        cast({{ ccwh.json_str('data', 'info') }} as string) as info,
        cast({{ ccwh.json_str('data', 'source') }} as string) as source,
        cast({{ ccwh.json_str('data', 'action_type') }} as string) as action_type,

        {{ ccwh.parse_ts(ccwh.json_str('data', 'created_at')) }} as created_at

    from source

)

select * from renamed
