-- All Contacts (seed 002): All Attempts plus every filtered (never attempted) list record.
-- is_filtered tells the two apart; is_contact_record marks one row per client_id (its best
-- attempt, or for a client_id that was only ever filtered, its latest best filter record).
with

records as (

    select * from {{ ref('int_campaign_attempts') }}

),

final as (

    select
        {{ ccwh.campaign_attempt_columns() | join(',\n        ') }},
        best_contact,
        is_filtered,
        is_contact_record
    from records

)

select * from final
