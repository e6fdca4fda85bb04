-- Envelope of every event, whatever its type: the list of tenants and event volumes.
with

source as (

    select * from {{ source('raw', 'events') }}

),

renamed as (

    select
        cast(event_id as string) as event_id,
        cast(event_type as string) as event_type,
        cast(schema_version as bigint) as schema_version,
        cast(tenant_id as string) as tenant_id,
        cast(occurred_at as timestamp) as occurred_at,
        cast(received_at as timestamp) as received_at,
        cast(destination as string) as destination,
        cast(source as string) as source,
        cast(segment as string) as segment,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
