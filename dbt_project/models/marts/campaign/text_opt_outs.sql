-- Text Opt-out (seed 002): one row per text attempt whose contact opted out
-- (TEXT_MSG_OPT_OUT: replied STOP or a synonym). opted_out_at is the attempt's completion
-- (ended_at, when the reply arrived); report_day is that of opted_out_at.
with

opt_outs as (

    select * from {{ ref('int_campaign_attempts') }}
    where completion_status = 'TEXT_MSG_OPT_OUT'

),

final as (

    select
        tenant_id,
        campaign_id,
        sub_campaign_id,
        list_id,
        client_id,
        contact_id,
        organization_id,
        interaction_id,
        event_id,
        device,
        started_at,
        ended_at as opted_out_at,
        {{ ccwh.report_day('ended_at', 'reports_time_zone', 'behind_utc') }} as report_day
    from opt_outs

)

select * from final
