"""What tests share that is not a fixture: fault injection, synthetic programs, the
faulted program run."""
