-- ticket: one state of a CRM ticket (seed 004), one row per event. A ticket usually arrives
-- twice (opened, then resolved); int_company__tickets keeps its latest state.
with

source as (

    select * from {{ source('raw', 'events') }}
    where event_type = 'ticket'

),

renamed as (

    select
        cast(event_id as string) as event_id,
        cast(tenant_id as string) as tenant_id,
        cast(occurred_at as timestamp) as occurred_at,
        cast(received_at as timestamp) as received_at,

        cast({{ ccwh.json_str('data', 'ticket_id') }} as string) as ticket_id,
        cast({{ ccwh.json_str('data', 'organization_id') }} as string) as organization_id,
        cast({{ ccwh.json_str('data', 'contact_id') }} as string) as contact_id,
        cast({{ ccwh.json_str('data', 'status') }} as string) as status,

        {{ ccwh.parse_ts(ccwh.json_str('data', 'created_at')) }} as created_at,
        {{ ccwh.parse_ts(ccwh.json_str('data', 'resolved_at')) }} as resolved_at

    from source

)

select * from renamed
