"""The use cases. Every call takes an Actor (and a purpose and case for data access), checks the
policy, does the work and writes the audit record. Interfaces call these, never the store."""
