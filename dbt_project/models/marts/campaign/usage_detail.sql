-- Usage detail (seed 002): every attempted record of every campaign (filtered records are not
-- placed and not billed), with usage_day = the date of started_at in America/New_York, always
-- midnight to midnight whatever the tenant's zone (DESIGN §5), beside the tenant's report_day.
-- billable_seconds: connected seconds (talk_seconds) of calls; 0 for texts and e-mails, which
-- are billed per message (billable_messages).
with

attempts as (

    select * from {{ ref('int_campaign_attempts') }}
    where not is_filtered

),

final as (

    select
        tenant_id,
        campaign_id,
        sub_campaign_id,
        list_id,
        client_id,
        interaction_id,
        event_id,
        channel,
        pass_type,
        direction,
        device,
        completion_status,
        started_at,
        connected_at,
        ended_at,
        talk_seconds,
        cast(case when channel = 'call' then coalesce(talk_seconds, 0) else 0 end as double)
            as billable_seconds,
        cast(case when channel in ('sms', 'email') then 1 else 0 end as bigint) as billable_messages,
        usage_day,
        report_day
    from attempts

)

select * from final
