"""审核: the ecology-environment bureau approving, returning and reopening yearly values, and its
审核评价 of qualitative rows. The workflow itself is `reporting`'s, shared with project progress;
this package adds what follows for indicators — one re-evaluation per batch."""
