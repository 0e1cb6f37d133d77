"""示例数据: generators of demo and synthetic data, and demo accounts. Development only."""
