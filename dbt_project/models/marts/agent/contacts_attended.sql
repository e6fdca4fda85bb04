-- Contacts attended (seed 003 "Contatos atendidos"): every contact attended by an agent or by
-- automation, one row per answered agent leg or per queue stay answered without any agent.
with

attended as (

    select * from {{ ref('int_agent__contacts_attended') }}

),

final as (

    select
        tenant_id,
        report_day,
        interaction_id,
        agent_id,
        agent_group_id,
        portfolio_id,
        channel,
        event_type,
        direction,
        attended_by,
        is_automated,
        automation_kind,
        queue_id,
        campaign_id,
        contact_id,
        organization_id,
        answered_at,
        ended_at,
        talk_seconds,
        handle_seconds,
        source_event_id
    from attended

)

select * from final
