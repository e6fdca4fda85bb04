-- Outbound and Inbound Response by Hour (seed 002): attempted records of each campaign by
-- direction, channel, report day, and the day of week and hour of started_at in the tenant's
-- reports time zone (the recipient's own zone is not in the events). Responses: the contact
-- answered / connected (connected_at set); Direct Connect results: calls with a DC attempt
-- and those whose contact reached the contact centre (a DC_SUCCESS). Sum over report days
-- for a range.
with

attempts as (

    select * from {{ ref('int_campaign_attempts') }}
    where not is_filtered

),

placed as (

    select
        *,
        {{ ccwh.iso_day_of_week('started_at_local') }} as day_of_week_local,
        cast(extract(hour from started_at_local) as bigint) as hour_local
    from attempts

),

final as (

    select
        tenant_id,
        campaign_id,
        sub_campaign_id,
        direction,
        channel,
        report_day,
        day_of_week_local,
        hour_local,
        cast(count(*) as bigint) as attempts,
        cast(sum(case when connected_at is not null then 1 else 0 end) as bigint) as responses,
        cast(sum(case when is_live_answer then 1 else 0 end) as bigint) as live_answers,
        cast(sum(case when dc_attempt_count > 0 then 1 else 0 end) as bigint) as dc_calls,
        cast(sum(case when dc_success_count > 0 then 1 else 0 end) as bigint) as dc_successful_calls,
        {{ ccwh.safe_divide('sum(case when connected_at is not null then 1 else 0 end)', 'count(*)') }}
            as response_rate
    from placed
    group by
        tenant_id, campaign_id, sub_campaign_id, direction, channel, report_day,
        day_of_week_local, hour_local

)

select * from final
