"""审核: what a reviewer judges a value against (selectors: the queue, a value's page, one
plan-year's batch) and approving a back-filled year in one action (services)."""
