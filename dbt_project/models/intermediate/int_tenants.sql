-- One row per tenant that ever sent an event: its reports time zone, whether that zone is
-- behind UTC (report-day rule, DESIGN §5), its queue metric settings (thresholds, SL formula)
-- and its dialer-compliance settings (DESIGN §4): the tenant_settings seed's non-empty cells
-- over the project's vars. Per-queue overrides are applied later, in int_queue_interactions.
with

tenants as (

    select distinct tenant_id
    from {{ ref('stg_ccwh__events') }}

),

-- The latest tenant directory event that carries a reports_time_zone wins (later upserts
-- without the attribute do not erase it). Scoped by the envelope's tenant_id: that is the
-- authenticated sender, so a tenant can only set its own zone.
time_zone_events as (

    select
        tenant_id,
        {{ ccwh.json_str('attributes', 'reports_time_zone') }} as reports_time_zone,
        row_number() over (
            partition by tenant_id
            order by
                occurred_at desc nulls last,
                received_at desc nulls last,
                event_id desc nulls last
        ) as recency_rank
    from {{ ref('stg_ccwh__directory') }}
    where entity = 'tenant'
      and {{ ccwh.json_str('attributes', 'reports_time_zone') }} is not null

),

latest_time_zone as (

    select tenant_id, reports_time_zone
    from time_zone_events
    where recency_rank = 1

),

settings as (

    select * from {{ ref('tenant_settings') }}

),

joined as (

    select
        tenants.tenant_id,
        coalesce(
            latest_time_zone.reports_time_zone,
            '{{ var("default_reports_time_zone") }}'
        ) as reports_time_zone,
        cast(coalesce(
            settings.service_level_seconds, {{ var('sl_threshold_seconds') }}
        ) as double) as sl_threshold_seconds,
        cast(coalesce(
            settings.short_abandon_seconds, {{ var('short_abandon_seconds') }}
        ) as double) as short_abandon_seconds,
        cast(coalesce(
            settings.sl_formula, '{{ var("sl_formula") }}'
        ) as string) as sl_formula,
        cast(coalesce(
            settings.dialer_bridge_seconds, {{ var('dialer_bridge_seconds') }}
        ) as double) as dialer_bridge_seconds,
        cast(coalesce(
            settings.dialer_abandon_threshold, {{ var('dialer_abandon_threshold') }}
        ) as double) as dialer_abandon_threshold,
        cast(coalesce(
            settings.dialer_window_days, {{ var('dialer_window_days') }}
        ) as bigint) as dialer_window_days
    from tenants
    left join latest_time_zone
        on tenants.tenant_id = latest_time_zone.tenant_id
    left join settings
        on tenants.tenant_id = settings.tenant_id

),

-- Standard (non-DST) offset = the smaller of the zone's UTC offsets in mid-January and
-- mid-July: DST only ever adds to the standard offset, and the two probes fall on opposite
-- seasons in both hemispheres. Fixed instants keep the answer stable from run to run.
offsets as (

    select
        joined.*,
        {{ ccwh.seconds_between(
            "cast('2021-01-15 12:00:00' as timestamp)",
            ccwh.to_local("cast('2021-01-15 12:00:00' as timestamp)", 'joined.reports_time_zone')
        ) }} as january_offset_seconds,
        {{ ccwh.seconds_between(
            "cast('2021-07-15 12:00:00' as timestamp)",
            ccwh.to_local("cast('2021-07-15 12:00:00' as timestamp)", 'joined.reports_time_zone')
        ) }} as july_offset_seconds
    from joined

),

final as (

    select
        tenant_id,
        cast(reports_time_zone as string) as reports_time_zone,
        cast(least(january_offset_seconds, july_offset_seconds) as bigint)
            as standard_utc_offset_seconds,
        cast(least(january_offset_seconds, july_offset_seconds) < 0 as boolean) as behind_utc,
        sl_threshold_seconds,
        short_abandon_seconds,
        sl_formula,
        dialer_bridge_seconds,
        dialer_abandon_threshold,
        dialer_window_days
    from offsets

)

select * from final
