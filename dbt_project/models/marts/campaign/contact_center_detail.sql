-- Contact Center detail (seed 002): one row per Direct Connect attempt, several per call
-- when the contact-centre number was retried (only the final one shows in the other detail
-- reports), with the parent call's ids. report_day is that of attempted_at.
with

dc_attempts as (

    select * from {{ ref('int_campaign_dc_attempts') }}

),

final as (

    select
        tenant_id,
        campaign_id,
        sub_campaign_id,
        list_id,
        client_id,
        contact_id,
        interaction_id,
        event_id,
        device,
        completion_status,
        dc_attempt_number,
        is_final_dc_attempt,
        attempted_at,
        dc_number,
        dc_status,
        dc_status_description,
        is_success,
        cast(ring_seconds as double) as ring_seconds,
        cast(whisper_seconds as double) as whisper_seconds,
        cast(talk_seconds as double) as talk_seconds,
        report_day
    from dc_attempts

)

select * from final
