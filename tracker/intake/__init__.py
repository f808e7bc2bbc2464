"""Intake and episodes of care: complaint, causes, symptoms, red flags, safety facts, history,
lifestyle, TCM assessment, goals and baseline pain (DOMAIN.md section 2)."""
