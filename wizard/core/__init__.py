"""The wizard without a face: probe, diagnose, plan, apply, verify, report (docs/ARCHITECTURE.md)."""
