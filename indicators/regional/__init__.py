"""Across regions: the city comparison (县区对比) and the leader summary (领导摘要)."""
