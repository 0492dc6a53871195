"""Domain rules on the API models: statuses, deadlines, hints, summaries. Pure, no I/O.

- status: EnrollmentState and `classify(status)` (what a status means to the business)
- lifecycle: CampaignPhase and `campaign_phase`, `how_enrolled`
- content: CONTENT_TYPES, `content_type_of`, `module_key`, `content_item_for`
- deadlines: `parse_relative_duration`, `enrollment_deadline`, `days_left`, DayCounter
- campaign_index: CampaignIndex (an enrollment's campaign by id, else by unique name)
- summaries: StatusCounts, `count_by_status`, `counts_by_*`, `campaign_completion`
- duplicates: `find_duplicates`, `most_relevant`
- hints: Hint, `campaign_hints`, `enrollment_hints`
- not_enrolled: Reason, NotEnrolled, `why_not_enrolled`, `not_enrolled_in`,
  `missing_from_active_campaigns` (why is this person not enrolled?)
- person_training: PersonTraining, `training_by_user` (each person's enrollments at a glance)
- compliance: `deadline_rows`, `people_at_risk`, `content_at_risk`, `overdue_rows`
- progress: ProgressSeries, `progress_series` (a campaign's daily enrolled, started,
  passed, past due, rebuilt from the enrollments' dates)
- forecast: Forecast, Outlook, `forecast`, `campaign_progress`, `progress_of_campaigns`
  (will it make the deadline, at the pace of the last 14 days; which campaigns stall)
- clock: `utc_now`, `local_timezone` (the only impure helpers: defaults for callers)
"""
