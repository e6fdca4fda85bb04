-- One row per Direct Connect attempt with its parent contact event's ids (campaign,
-- sub-campaign, client_id ...), the DC status's success flag from the dc_statuses seed and
-- the report day of attempted_at. Shared by contact_center_detail and dc_summary.
with

dc_attempts as (

    select * from {{ ref('stg_ccwh__dc_attempts') }}

),

parents as (

    select * from {{ ref('stg_ccwh__contact_attempts') }}

),

dc_statuses as (

    select * from {{ ref('dc_statuses') }}

),

tenants as (

    select * from {{ ref('int_tenants') }}

),

last_attempt as (

    select event_id, max(dc_attempt_number) as last_dc_attempt_number
    from dc_attempts
    group by event_id

),

final as (

    select
        dc_attempts.event_id,
        dc_attempts.tenant_id,
        dc_attempts.interaction_id,
        dc_attempts.dc_attempt_number,
        parents.campaign_id,
        parents.sub_campaign_id,
        parents.list_id,
        parents.client_id,
        parents.contact_id,
        parents.device,
        parents.completion_status,
        dc_attempts.attempted_at,
        dc_attempts.dc_number,
        dc_attempts.dc_status,
        cast(dc_statuses.description as string) as dc_status_description,
        cast(dc_statuses.status is not null as boolean) as is_known_dc_status,
        -- Unknown DC statuses count as failed (and are flagged by a warn test).
        cast(coalesce(dc_statuses.is_success, false) as boolean) as is_success,
        cast(dc_attempts.dc_attempt_number = last_attempt.last_dc_attempt_number as boolean)
            as is_final_dc_attempt,
        dc_attempts.ring_seconds,
        dc_attempts.whisper_seconds,
        dc_attempts.talk_seconds,
        {{ ccwh.report_day('dc_attempts.attempted_at', 'tenants.reports_time_zone', 'tenants.behind_utc') }}
            as report_day
    from dc_attempts
    left join parents
        on dc_attempts.event_id = parents.event_id
    left join dc_statuses
        on dc_attempts.dc_status = dc_statuses.status
    left join last_attempt
        on dc_attempts.event_id = last_attempt.event_id
    left join tenants
        on dc_attempts.tenant_id = tenants.tenant_id

)

select * from final
