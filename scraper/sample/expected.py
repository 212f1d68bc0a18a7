def expected_post(*a, **k): raise NotImplementedError
