"""Clinic-wide reports that read several features' records: adverse events per 1,000
signed sessions, by type and severity, beside published reference rates."""
