-- Contact trace (seed 002): every record of every campaign (attempts, filtered records,
-- inbound calls to a campaign number) keyed so that one individual can be looked up by
-- client_id, device or contact_id across campaigns, e.g.
--   select * from contact_trace where tenant_id = ? and device = ? order by started_at, event_id
with

records as (

    select * from {{ ref('int_campaign_attempts') }}

),

final as (

    select
        tenant_id,
        client_id,
        device,
        contact_id,
        organization_id,
        campaign_id,
        sub_campaign_id,
        list_id,
        interaction_id,
        event_id,
        channel,
        pass_type,
        direction,
        completion_status,
        status_rank,
        is_filtered,
        best_contact,
        attempt_number,
        started_at,
        connected_at,
        ended_at,
        talk_seconds,
        started_at_local,
        report_day
    from records

)

select * from final
