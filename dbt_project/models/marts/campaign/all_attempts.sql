-- All Attempts (seed 002): every attempted contact record of every campaign, several per
-- client_id, with the BestContact 1/0 flag for the entire campaign (everything loaded).
-- Filtered / never-attempted records are left out (they are in all_contacts). Other report
-- ranges: macro best_contact_in_range(..., mode='flag').
with

attempts as (

    select * from {{ ref('int_campaign_attempts') }}
    where not is_filtered

),

final as (

    select
        {{ ccwh.campaign_attempt_columns() | join(',\n        ') }},
        best_contact
    from attempts

)

select * from final
