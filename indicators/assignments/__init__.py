"""下达目标: the numbers a higher level assigns where a target reads 完成市下达指标."""
