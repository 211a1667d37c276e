"""Widgets the stages share: wrapped prose, the step table and a step's detail."""
