-- One row per Direct Connect attempt: the elements of contact_* events' data.dc_attempts
-- (DESIGN §3), in array order. Several per call when the contact-centre number was retried
-- (busy, no lines ...); seed 002's Contact Center report has a record for each.
with

source as (

    select * from {{ source('raw', 'events') }}
    where event_type in ('contact_call', 'contact_chat', 'contact_email', 'contact_sms')

),

events_with_attempts as (

    select
        event_id,
        tenant_id,
        {{ ccwh.json_str('data', 'interaction_id') }} as interaction_id,
        {{ ccwh.json_str('data', 'dc_attempts') }} as dc_attempts_json
    from source
    where {{ ccwh.json_str('data', 'dc_attempts') }} is not null

),

-- Engine-specific array flattening lives in the json_array_elements macro: element_index is
-- the 0-based array position, element the element's JSON text.
flattened as (

    {{ ccwh.json_array_elements(
        'events_with_attempts',
        'dc_attempts_json',
        ['event_id', 'tenant_id', 'interaction_id']
    ) }}

),

renamed as (

    select
        cast(event_id as string) as event_id,
        cast(tenant_id as string) as tenant_id,
        cast(interaction_id as string) as interaction_id,
        cast(element_index + 1 as bigint) as dc_attempt_number,
        {{ ccwh.parse_ts(ccwh.json_str('element', 'attempted_at')) }} as attempted_at,
        cast({{ ccwh.json_str('element', 'dc_number') }} as string) as dc_number,
        cast({{ ccwh.json_str('element', 'dc_status') }} as string) as dc_status,
        {{ dbt.safe_cast(ccwh.json_str('element', 'ring_seconds'), 'double') }} as ring_seconds,
        {{ dbt.safe_cast(ccwh.json_str('element', 'whisper_seconds'), 'double') }} as whisper_seconds,
        {{ dbt.safe_cast(ccwh.json_str('element', 'talk_seconds'), 'double') }} as talk_seconds

    from flattened

)

select * from renamed
