"""The baseline file: loading with validation, matching, writing, updating and auditing."""
