-- Dialer Compliance (DESIGN §4, seed 002): per tenant, campaign and report day, the
-- live-answered outbound calls of dialer campaigns and those not bridged to an agent within
-- the tenant's dialer_bridge_seconds (abandons); the day's abandon rate and the rate over a
-- rolling window of dialer_window_days report days ending with that day (the day included),
-- flagged when the window's rate is strictly over dialer_abandon_threshold (exactly at the
-- threshold is compliant). Rows exist for days with at least one live-answered call.
with

daily as (

    select * from {{ ref('int_dialer_compliance_daily') }}

),

tenants as (

    select * from {{ ref('int_tenants') }}

),

windowed as (

    select
        daily.tenant_id,
        daily.campaign_id,
        daily.report_day,
        max(daily.live_answered_calls) as live_answered_calls,
        max(daily.abandoned_calls) as abandoned_calls,
        sum(earlier.live_answered_calls) as window_live_answered_calls,
        sum(earlier.abandoned_calls) as window_abandoned_calls
    from daily
    inner join tenants
        on daily.tenant_id = tenants.tenant_id
    inner join daily as earlier
        on daily.tenant_id = earlier.tenant_id
        and daily.campaign_id = earlier.campaign_id
        and {{ dbt.datediff('earlier.report_day', 'daily.report_day', 'day') }} >= 0
        and {{ dbt.datediff('earlier.report_day', 'daily.report_day', 'day') }}
            < tenants.dialer_window_days
    group by daily.tenant_id, daily.campaign_id, daily.report_day

),

final as (

    select
        windowed.tenant_id,
        windowed.campaign_id,
        windowed.report_day,
        cast(windowed.live_answered_calls as bigint) as live_answered_calls,
        cast(windowed.abandoned_calls as bigint) as abandoned_calls,
        {{ ccwh.safe_divide('windowed.abandoned_calls', 'windowed.live_answered_calls') }}
            as abandon_rate,
        -- int: Spark's date_add takes an int day count, not a bigint.
        cast({{ dbt.dateadd('day', '1 - cast(tenants.dialer_window_days as int)', 'windowed.report_day') }} as date)
            as window_start_day,
        cast(windowed.window_live_answered_calls as bigint) as window_live_answered_calls,
        cast(windowed.window_abandoned_calls as bigint) as window_abandoned_calls,
        {{ ccwh.safe_divide('windowed.window_abandoned_calls', 'windowed.window_live_answered_calls') }}
            as window_abandon_rate,
        cast(tenants.dialer_bridge_seconds as double) as dialer_bridge_seconds,
        cast(tenants.dialer_window_days as bigint) as dialer_window_days,
        cast(tenants.dialer_abandon_threshold as double) as dialer_abandon_threshold,
        cast(coalesce(
            {{ ccwh.safe_divide('windowed.window_abandoned_calls', 'windowed.window_live_answered_calls') }}
                > tenants.dialer_abandon_threshold,
            false
        ) as boolean) as is_over_threshold
    from windowed
    inner join tenants
        on windowed.tenant_id = tenants.tenant_id

)

select * from final
