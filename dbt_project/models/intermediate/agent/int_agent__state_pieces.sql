-- Agent state intervals split at report-day boundaries (DESIGN §5): one row per state
-- interval and report day it overlaps, holding only that day's part. A break from 23:50 to
-- 00:10 local time gives 600 s on each day. Open states (end_source 'open') stay one row on
-- the day they started, without an end or seconds. A state ending exactly at a boundary
-- gives no zero-second piece on the next day.
with

states as (

    select * from {{ ref('int_agent__states') }}

),

report_days as (

    select * from {{ ref('int_agent__report_days') }}

),

with_end_day as (

    select
        states.*,
        case
            when effective_ended_at is null then report_day
            else {{ ccwh.report_day('effective_ended_at', 'reports_time_zone', 'behind_utc') }}
        end as end_report_day
    from states

),

-- A state whose end is not after its start day (one-day states, clock-skewed ends) has one
-- day; only longer ones are expanded into their days.
expanded as (

    select
        with_end_day.*,
        {{ ccwh.agent_date_series(
            'report_day',
            'case when end_report_day > report_day then end_report_day else report_day end'
        ) }} as piece_day
    from with_end_day

),

pieces as (

    select
        expanded.*,
        case
            when expanded.end_report_day > expanded.report_day
                and report_days.day_start_utc > expanded.started_at
                then report_days.day_start_utc
            else expanded.started_at
        end as piece_started_at,
        case
            when expanded.end_report_day > expanded.report_day
                and report_days.day_end_utc < expanded.effective_ended_at
                then report_days.day_end_utc
            else expanded.effective_ended_at
        end as piece_ended_at
    from expanded
    left join report_days
        on expanded.tenant_id = report_days.tenant_id
        and expanded.piece_day = report_days.report_day

),

final as (

    select
        event_id,
        tenant_id,
        cast(piece_day as date) as report_day,
        agent_id,
        agent_group_id,
        session_id,
        status,
        reason_code,
        cast(piece_started_at as timestamp) as started_at,
        cast(piece_ended_at as timestamp) as ended_at,
        cast({{ ccwh.seconds_between('piece_started_at', 'piece_ended_at') }} as double) as seconds,
        started_at as state_started_at,
        effective_ended_at as state_ended_at,
        end_source,
        cast(coalesce(end_report_day > report_day, false) as boolean) as is_split,
        cast(piece_day = report_day as boolean) as is_state_start_day,
        reports_time_zone
    from pieces
    where piece_day = report_day
       or piece_ended_at > piece_started_at

)

select * from final
