"""Cohorts and district groups: an organisation's educators, their consent, progress and vouchers."""
