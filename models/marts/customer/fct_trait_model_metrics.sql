{#- The measured quality of each predicted trait's model on its time-based holdout, beside a naive baseline
    measured on the same holdout (one row per trait and metric). A trait is published in customer_360 only
    when is_published: its model beat the baseline on every metric. Read by the value suite's
    predicted_trait_quality check. -#}

with

models as (
    select * from {{ ref('int_trait_models_scored') }}
    where kind = 'metric'
),

final as (
    select
        trait_name || '|' || metric_name as trait_metric_id,
        trait_name,
        metric_name,
        baseline_name,
        metric_value,
        baseline_value,
        metric_value - baseline_value as lift_over_baseline,
        holdout_positive_rate,
        calibration_error,
        cast(train_rows as bigint) as train_rows,
        cast(holdout_rows as bigint) as holdout_rows,
        cast(horizon_days as integer) as horizon_days,
        coalesce(is_published, false) as is_published,
        train_cutoff_at,
        holdout_cutoff_at,
        trained_at
    from models
)

select * from final
