-- Abandoned-call analysis (seed 003, "Relatório Analítico de Chamadas Abandonadas"): one row
-- per abandoned queue interaction (queue event with outcome abandoned), every channel, with
-- its wait, local hour of day and wait bucket. Buckets are lower-inclusive, upper-exclusive
-- [lower, upper) seconds, bounds from var abandon_wait_bucket_bounds (decisions/queue.md).
{{ config(**ccwh.report_day_incremental_config(['event_id'])) }}
{%- set bounds = var('abandon_wait_bucket_bounds') %}
with

queue_interactions as (

    select * from {{ ref('int_queue_interactions') }}
    where outcome = 'abandoned'
      and {{ ccwh.report_day_window('report_day') }}

),

final as (

    select
        tenant_id,
        queue_id,
        channel,
        portfolio_id,
        interaction_id,
        contact_id,
        entered_at,
        left_at,
        wait_seconds,
        is_short_abandon,
        cast(extract(hour from entered_at_local) as bigint) as hour_local,
        cast(
            case
                when wait_seconds is null then null
                -- clock-skewed events only (left before entering): kept, in their own bucket
                when wait_seconds < 0 then '<0s'
                {%- for upper in bounds %}
                when wait_seconds < {{ upper }} then '{{ 0 if loop.first else bounds[loop.index0 - 1] }}-{{ upper }}s'
                {%- endfor %}
                else '{{ bounds[-1] }}s+'
            end as string
        ) as wait_bucket,
        event_id,
        organization_id,
        entered_at_local,
        cast(
            case
                when wait_seconds is null or wait_seconds < 0 then null
                {%- for upper in bounds %}
                when wait_seconds < {{ upper }} then {{ 0 if loop.first else bounds[loop.index0 - 1] }}
                {%- endfor %}
                else {{ bounds[-1] }}
            end as double
        ) as wait_bucket_min_seconds,
        cast(
            case
                when wait_seconds is null then null
                when wait_seconds < 0 then 0
                {%- for upper in bounds %}
                when wait_seconds < {{ upper }} then {{ upper }}
                {%- endfor %}
            end as double
        ) as wait_bucket_max_seconds,
        short_abandon_seconds,
        report_day
    from queue_interactions

)

select * from final
