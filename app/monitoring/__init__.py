"""What operators watch: the /metrics endpoint, the process counters with the queues beside them."""
