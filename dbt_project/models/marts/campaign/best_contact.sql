-- Best Contact (seed 002) over the entire campaign: one row per tenant x campaign x
-- client_id, its best attempt (highest status rank; ties -> latest started_at, ended_at,
-- then highest interaction_id). Attempts without a client_id are not contacts here. Other
-- report ranges: macro best_contact_in_range(...).
with

attempts as (

    select * from {{ ref('int_campaign_attempts') }}
    where not is_filtered
      and best_contact = 1

),

final as (

    select
        {{ ccwh.campaign_attempt_columns() | join(',\n        ') }},
        best_contact
    from attempts

)

select * from final
