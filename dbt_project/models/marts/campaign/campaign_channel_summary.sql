-- Multi-channel summary (seed 002): per tenant, campaign, sub-campaign, channel, completion
-- status and report day (of started_at): how many records ended with that status, how many
-- of them were attempts or filtered records, and how many are the entire-campaign Best
-- Contact of their client_id (best_contacts) or its one All Contacts record
-- (contact_records, which also counts client_ids that were only ever filtered). Sum over
-- report days and statuses for campaign or sub-campaign totals; the best-status
-- distribution of a channel is best_contacts by completion_status.
with

records as (

    select * from {{ ref('int_campaign_attempts') }}

),

final as (

    select
        tenant_id,
        campaign_id,
        sub_campaign_id,
        channel,
        completion_status,
        report_day,
        status_rank,
        is_filtered,
        cast(count(*) as bigint) as records,
        cast(sum(case when is_filtered then 0 else 1 end) as bigint) as attempts,
        cast(sum(case when is_filtered then 1 else 0 end) as bigint) as filtered_records,
        cast(count(distinct case when not is_filtered then client_id end) as bigint)
            as client_ids_attempted,
        cast(sum(best_contact) as bigint) as best_contacts,
        cast(sum(case when is_contact_record then 1 else 0 end) as bigint) as contact_records,
        cast(sum(case when connected_at is not null and not is_filtered then 1 else 0 end) as bigint)
            as connected_attempts,
        cast(sum(case when is_filtered then 0 else coalesce(talk_seconds, 0) end) as double)
            as talk_seconds
    from records
    group by
        tenant_id, campaign_id, sub_campaign_id, channel, completion_status, report_day,
        status_rank, is_filtered

)

select * from final
