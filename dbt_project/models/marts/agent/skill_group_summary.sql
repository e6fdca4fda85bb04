-- Standard Skill Group summary (seed 002): per skill (agent) group, Direct Connect number,
-- campaign, sub-campaign and report day of attempted_at, the successful and failed Direct
-- Connect attempts and the average ring, whisper and talk seconds over the answered
-- (successful) attempts, not over all attempts. The group answering a number comes from the
-- directory: agent_group attributes.dc_numbers (a JSON array of numbers, or one number) valid
-- at the attempt; a number no group lists has agent_group_id null (decisions/agent.md).
with

dc_attempts as (

    select * from {{ ref('int_campaign_dc_attempts') }}

),

group_numbers as (

    select * from {{ ref('int_agent__directory_history') }}
    where entity = 'agent_group' and attribute = 'dc_numbers'

),

-- A number listed by several groups at once goes to the smallest agent_group_id.
group_candidates as (

    select
        dc_attempts.event_id,
        dc_attempts.dc_attempt_number,
        group_numbers.entity_id as agent_group_id,
        row_number() over (
            partition by dc_attempts.event_id, dc_attempts.dc_attempt_number
            order by group_numbers.entity_id asc nulls last
        ) as group_rank
    from dc_attempts
    inner join group_numbers
        on dc_attempts.tenant_id = group_numbers.tenant_id
        and (
            group_numbers.attribute_value = dc_attempts.dc_number
            or group_numbers.attribute_value like concat('%"', dc_attempts.dc_number, '"%')
        )
        and {{ ccwh.agent_valid_at('group_numbers', 'dc_attempts.attempted_at') }}

),

attempt_groups as (

    select * from group_candidates
    where group_rank = 1

),

attempts as (

    select
        dc_attempts.*,
        attempt_groups.agent_group_id
    from dc_attempts
    left join attempt_groups
        on dc_attempts.event_id = attempt_groups.event_id
        and dc_attempts.dc_attempt_number = attempt_groups.dc_attempt_number

),

aggregated as (

    select
        tenant_id,
        report_day,
        agent_group_id,
        dc_number,
        campaign_id,
        sub_campaign_id,
        cast(count(*) as bigint) as dc_attempts,
        cast(sum(case when is_success then 1 else 0 end) as bigint) as successful_dc_attempts,
        cast(sum(case when is_success then 0 else 1 end) as bigint) as failed_dc_attempts,
        cast(coalesce(sum(case when is_success then ring_seconds end), 0) as double) as answered_ring_seconds,
        cast(coalesce(sum(case when is_success then whisper_seconds end), 0) as double) as answered_whisper_seconds,
        cast(coalesce(sum(case when is_success then talk_seconds end), 0) as double) as answered_talk_seconds,
        cast(avg(case when is_success then ring_seconds end) as double) as avg_ring_seconds,
        cast(avg(case when is_success then whisper_seconds end) as double) as avg_whisper_seconds,
        cast(avg(case when is_success then talk_seconds end) as double) as avg_talk_seconds
    from attempts
    group by tenant_id, report_day, agent_group_id, dc_number, campaign_id, sub_campaign_id

),

final as (

    select
        tenant_id,
        report_day,
        agent_group_id,
        dc_number,
        campaign_id,
        sub_campaign_id,
        dc_attempts,
        successful_dc_attempts,
        failed_dc_attempts,
        {{ ccwh.safe_divide('successful_dc_attempts', 'dc_attempts') }} as success_rate,
        answered_ring_seconds,
        answered_whisper_seconds,
        answered_talk_seconds,
        avg_ring_seconds,
        avg_whisper_seconds,
        avg_talk_seconds
    from aggregated

)

select * from final
