-- One row per contact_* event of a campaign (campaign_id set): outbound attempts, filtered
-- (never attempted) list records and inbound calls to a campaign number, with the status's
-- rank and flags from the completion_statuses seed, report day, and the entire-campaign Best
-- Contact ranking that all campaign marts share.
with

contact_events as (

    select * from {{ ref('stg_ccwh__contact_attempts') }}
    where campaign_id is not null

),

statuses as (

    select * from {{ ref('completion_statuses') }}

),

tenants as (

    select * from {{ ref('int_tenants') }}

),

dc_attempt_counts as (

    select
        dc_attempts.event_id,
        cast(count(*) as bigint) as dc_attempt_count,
        cast(sum(case when dc_statuses.is_success then 1 else 0 end) as bigint) as dc_success_count
    from {{ ref('stg_ccwh__dc_attempts') }} as dc_attempts
    left join {{ ref('dc_statuses') }} as dc_statuses
        on dc_attempts.dc_status = dc_statuses.status
    group by dc_attempts.event_id

),

-- The campaign's dialing mode (directory attribute dialing_mode, e.g. predictive or
-- direct_connect): the latest campaign directory event that carries it wins.
dialing_mode_events as (

    select
        tenant_id,
        entity_id as campaign_id,
        {{ ccwh.json_str('attributes', 'dialing_mode') }} as dialing_mode,
        row_number() over (
            partition by tenant_id, entity_id
            order by
                occurred_at desc nulls last,
                received_at desc nulls last,
                event_id desc nulls last
        ) as recency_rank
    from {{ ref('stg_ccwh__directory') }}
    where entity = 'campaign'
      and {{ ccwh.json_str('attributes', 'dialing_mode') }} is not null

),

dialing_modes as (

    select tenant_id, campaign_id, dialing_mode
    from dialing_mode_events
    where recency_rank = 1

),

joined as (

    select
        contact_events.*,
        -- Statuses missing from the seed rank 0 (below every known status), count as
        -- attempted, and are flagged by a warn test on is_known_status.
        cast(coalesce(statuses.rank, 0) as bigint) as status_rank,
        cast(statuses.description as string) as status_description,
        cast(statuses.status is not null as boolean) as is_known_status,
        cast(coalesce(statuses.is_filtered, false) as boolean) as is_filtered,
        cast(coalesce(statuses.is_live_answer, false) as boolean) as is_live_answer,
        cast(coalesce(dc_attempt_counts.dc_attempt_count, 0) as bigint) as dc_attempt_count,
        cast(coalesce(dc_attempt_counts.dc_success_count, 0) as bigint) as dc_success_count,
        cast(dialing_modes.dialing_mode as string) as dialing_mode,
        tenants.reports_time_zone,
        tenants.behind_utc
    from contact_events
    left join statuses
        on contact_events.completion_status = statuses.status
    left join dc_attempt_counts
        on contact_events.event_id = dc_attempt_counts.event_id
    left join dialing_modes
        on contact_events.tenant_id = dialing_modes.tenant_id
        and contact_events.campaign_id = dialing_modes.campaign_id
    left join tenants
        on contact_events.tenant_id = tenants.tenant_id

),

ranked as (

    select
        joined.*,
        -- Best Contact over everything loaded (the "entire campaign" timeframe): among the
        -- attempted records of one client_id in one campaign. Filtered records and records
        -- without a client_id never take part (null rank).
        case when not is_filtered and client_id is not null then row_number() over (
            partition by
                tenant_id,
                campaign_id,
                client_id,
                case when not is_filtered and client_id is not null then 1 else 0 end
            order by {{ ccwh.best_contact_order() }}
        ) end as best_contact_rank,
        -- One record per client_id for All Contacts: the best attempt, or for a client_id that
        -- was only ever filtered, its best (highest rank, latest) filter record.
        case when client_id is not null then row_number() over (
            partition by tenant_id, campaign_id, client_id
            order by
                case when is_filtered then 1 else 0 end asc nulls last,
                {{ ccwh.best_contact_order() }}
        ) end as contact_record_rank,
        -- Attempt order per client_id (oldest first) for the Dialer report.
        case when not is_filtered and client_id is not null then row_number() over (
            partition by
                tenant_id,
                campaign_id,
                client_id,
                case when not is_filtered and client_id is not null then 1 else 0 end
            order by
                started_at asc nulls last,
                ended_at asc nulls last,
                interaction_id asc nulls last,
                event_id asc nulls last
        ) end as attempt_number
    from joined

),

final as (

    select
        event_id,
        tenant_id,
        campaign_id,
        sub_campaign_id,
        list_id,
        client_id,
        contact_id,
        organization_id,
        interaction_id,
        event_type,
        channel,
        pass_type,
        direction,
        device,
        completion_status,
        status_rank,
        status_description,
        is_known_status,
        is_filtered,
        is_live_answer,
        started_at,
        connected_at,
        bridged_at,
        ended_at,
        cast(talk_seconds as double) as talk_seconds,
        cast({{ ccwh.seconds_between('connected_at', 'bridged_at') }} as double) as bridge_seconds,
        dc_attempt_count,
        dc_success_count,
        dialing_mode,
        cast(best_contact_rank as bigint) as best_contact_rank,
        cast(case when best_contact_rank = 1 then 1 else 0 end as bigint) as best_contact,
        cast(coalesce(contact_record_rank = 1, false) as boolean) as is_contact_record,
        cast(attempt_number as bigint) as attempt_number,
        cast({{ ccwh.to_local('started_at', 'reports_time_zone') }} as timestamp) as started_at_local,
        {{ ccwh.report_day('started_at', 'reports_time_zone', 'behind_utc') }} as report_day,
        cast({{ ccwh.to_local('started_at', "'" ~ var('usage_report_day_time_zone') ~ "'") }} as date)
            as usage_day,
        reports_time_zone,
        behind_utc
    from ranked

)

select * from final
