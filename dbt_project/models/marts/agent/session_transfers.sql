-- Session Transfer (seed 002): every interaction an agent transferred to another agent
-- (agent_* events with transferred_to_agent_id), from -> to agent, with the originating leg's
-- durations and, when the target agent's own leg arrived, its answer and talk time.
-- transferred_at = the originating leg's ended_at (the agent's part ended with the transfer);
-- report day of transferred_at.
with

interactions as (

    select * from {{ ref('int_agent__interactions') }}

),

tenants as (

    select * from {{ ref('int_tenants') }}

),

transfers as (

    select
        interactions.*,
        coalesce(ended_at, activity_at) as transferred_at
    from interactions
    where transferred_to_agent_id is not null

),

-- The target agent's leg: the same interaction offered to the target agent, the earliest
-- offer not before the transfer's originating offer, then the smallest event_id.
target_candidates as (

    select
        transfers.event_id as transfer_event_id,
        target.event_id as target_event_id,
        target.answered_at as target_answered_at,
        target.talk_seconds as target_talk_seconds,
        row_number() over (
            partition by transfers.event_id
            order by target.offered_at asc nulls last, target.event_id asc nulls last
        ) as target_rank
    from transfers
    inner join interactions as target
        on transfers.tenant_id = target.tenant_id
        and transfers.interaction_id = target.interaction_id
        and transfers.transferred_to_agent_id = target.agent_id
        and transfers.event_id <> target.event_id

),

targets as (

    select * from target_candidates
    where target_rank = 1

),

final as (

    select
        transfers.tenant_id,
        {{ ccwh.report_day('transfers.transferred_at', 'tenants.reports_time_zone', 'tenants.behind_utc') }}
            as report_day,
        transfers.interaction_id,
        transfers.channel,
        transfers.agent_id,
        transfers.agent_group_id,
        transfers.transferred_to_agent_id,
        target_directory.agent_group_id as transferred_to_agent_group_id,
        transfers.queue_id,
        transfers.campaign_id,
        transfers.portfolio_id,
        transfers.offered_at,
        transfers.answered_at,
        cast(transfers.transferred_at as timestamp) as transferred_at,
        transfers.talk_seconds,
        transfers.hold_seconds,
        transfers.wrap_up_seconds,
        transfers.disposition_code,
        targets.target_event_id,
        targets.target_answered_at,
        targets.target_talk_seconds,
        transfers.event_id
    from transfers
    left join targets
        on transfers.event_id = targets.transfer_event_id
    left join tenants
        on transfers.tenant_id = tenants.tenant_id
    {{ ccwh.directory_as_of(
        'agent',
        'transfers.tenant_id',
        'transfers.transferred_to_agent_id',
        'transfers.transferred_at',
        'target_directory'
    ) }}

)

select * from final
