-- Dialer compliance inputs per tenant, campaign and report day (DESIGN §4): live-answered
-- outbound voice calls of dialer campaigns, and those not bridged to an agent within the
-- tenant's dialer_bridge_seconds (a dialer abandon). The rolling window and the flag are in
-- the dialer_compliance mart.
with

attempts as (

    select * from {{ ref('int_campaign_attempts') }}

),

tenants as (

    select * from {{ ref('int_tenants') }}

),

-- A dialer call: outbound voice, answered by a live person (connected_at set and a live
-- status: answering machines are never bridged to an agent), on a campaign whose dialing
-- mode is a dialer mode or unknown (var dialer_dialing_modes; a direct-connect or message
-- campaign has no agent to bridge to).
live_answers as (

    select
        attempts.tenant_id,
        attempts.campaign_id,
        attempts.report_day,
        -- Abandoned: never bridged, or bridged later than the threshold (exactly at the
        -- threshold is compliant).
        case
            when attempts.bridged_at is null then 1
            when attempts.bridge_seconds > tenants.dialer_bridge_seconds then 1
            else 0
        end as is_abandoned
    from attempts
    left join tenants
        on attempts.tenant_id = tenants.tenant_id
    where attempts.pass_type = 'voice'
      and attempts.direction = 'outbound'
      and not attempts.is_filtered
      and attempts.connected_at is not null
      and attempts.is_live_answer
      and (
        attempts.dialing_mode is null
        or attempts.dialing_mode in (
            {%- for mode in var('dialer_dialing_modes') %}
            '{{ mode }}'{% if not loop.last %},{% endif %}
            {%- endfor %}
        )
      )

),

final as (

    select
        tenant_id,
        campaign_id,
        report_day,
        cast(count(*) as bigint) as live_answered_calls,
        cast(sum(is_abandoned) as bigint) as abandoned_calls
    from live_answers
    group by tenant_id, campaign_id, report_day

)

select * from final
