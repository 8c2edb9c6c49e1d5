"""What is cached and how a write invalidates it: the content version, cached counts, the response cache."""
