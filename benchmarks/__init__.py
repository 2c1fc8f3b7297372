"""`make bench`: each figure of issue 15 as a ratio against a baseline measured in the same run."""
