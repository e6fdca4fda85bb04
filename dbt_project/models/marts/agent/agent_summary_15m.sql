-- Agent Summary (seed 002): per agent and 15-minute interval (UTC buckets of activity_at =
-- answered_at, or offered_at when never answered), interactions offered and handled by
-- channel, talk, hold, after-call work (wrap-up) and handle seconds, transfers and
-- dispositioned interactions. Disposition-code counts per interval: agent_disposition_summary.
with

interactions as (

    select * from {{ ref('int_agent__interactions') }}

),

aggregated as (

    select
        tenant_id,
        report_day,
        interval_start,
        agent_id,
        agent_group_id,
        cast(count(*) as bigint) as offered,
        cast(sum(case when is_answered then 1 else 0 end) as bigint) as handled,
        cast(sum(case when is_answered and channel = 'call' then 1 else 0 end) as bigint) as calls,
        cast(sum(case when is_answered and channel = 'chat' then 1 else 0 end) as bigint) as chats,
        cast(sum(case when is_answered and channel = 'email' then 1 else 0 end) as bigint) as emails,
        cast(sum(case when is_answered and channel = 'sms' then 1 else 0 end) as bigint) as sms,
        cast(sum(case when is_answered and direction = 'inbound' then 1 else 0 end) as bigint)
            as handled_inbound,
        cast(sum(case when is_answered and direction = 'outbound' then 1 else 0 end) as bigint)
            as handled_outbound,
        cast(coalesce(sum(talk_seconds), 0) as double) as talk_seconds,
        cast(coalesce(sum(hold_seconds), 0) as double) as hold_seconds,
        cast(coalesce(sum(wrap_up_seconds), 0) as double) as wrap_up_seconds,
        cast(coalesce(sum(handle_seconds), 0) as double) as handle_seconds,
        cast(avg(talk_seconds) as double) as avg_talk_seconds,
        cast(avg(handle_seconds) as double) as avg_handle_seconds,
        cast(sum(case when transferred_to_agent_id is not null then 1 else 0 end) as bigint)
            as transferred,
        cast(sum(case when is_answered and disposition_code is not null then 1 else 0 end) as bigint)
            as dispositioned,
        interval_start_local
    from interactions
    group by
        tenant_id,
        report_day,
        interval_start,
        agent_id,
        agent_group_id,
        interval_start_local

)

select * from aggregated
