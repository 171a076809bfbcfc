-- A change's planned window: when change management authorized it to be carried out
-- (ServiceNow's start_date / end_date, Jira Service Management's Planned start / end).
ALTER TABLE changes ADD COLUMN planned_start TEXT;
ALTER TABLE changes ADD COLUMN planned_end TEXT;
