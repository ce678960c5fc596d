"""The daily jobs (core: no Qt): membership statuses, owner segments, renewal reminders.

Entry point: crm_desktop.jobs.daily.run_daily_jobs(ctx, today).
"""
