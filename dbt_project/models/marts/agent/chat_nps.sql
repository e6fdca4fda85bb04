-- NPS after chat (seed 003 "Invenio Webchat - Net Promoter Score"): per agent, queue and
-- report day, the answered chats, the nps_score responses by band (promoters 9-10, passives
-- 7-8, detractors 0-6; band edges are vars) and NPS = % promoters - % detractors, in points
-- from -100 to 100; null when no chat of the group got a score.
with

chats as (

    select
        interactions.*,
        {{ ccwh.agent_nps_band('nps_score') }} as nps_band
    from {{ ref('int_agent__interactions') }} as interactions
    where channel = 'chat'
      and is_answered

),

aggregated as (

    select
        tenant_id,
        report_day,
        agent_id,
        agent_group_id,
        queue_id,
        cast(count(*) as bigint) as chats_answered,
        cast(sum(case when nps_score is not null then 1 else 0 end) as bigint) as nps_responses,
        cast(sum(case when nps_band = 'promoter' then 1 else 0 end) as bigint) as promoters,
        cast(sum(case when nps_band = 'passive' then 1 else 0 end) as bigint) as passives,
        cast(sum(case when nps_band = 'detractor' then 1 else 0 end) as bigint) as detractors,
        cast(avg(nps_score) as double) as avg_nps_score
    from chats
    group by tenant_id, report_day, agent_id, agent_group_id, queue_id

),

final as (

    select
        tenant_id,
        report_day,
        agent_id,
        agent_group_id,
        queue_id,
        chats_answered,
        nps_responses,
        promoters,
        passives,
        detractors,
        {{ ccwh.safe_divide('promoters', 'nps_responses') }} as promoter_share,
        {{ ccwh.safe_divide('passives', 'nps_responses') }} as passive_share,
        {{ ccwh.safe_divide('detractors', 'nps_responses') }} as detractor_share,
        {{ ccwh.safe_divide('100 * (promoters - detractors)', 'nps_responses') }} as nps,
        {{ ccwh.safe_divide('nps_responses', 'chats_answered') }} as response_rate,
        avg_nps_score
    from aggregated

)

select * from final
