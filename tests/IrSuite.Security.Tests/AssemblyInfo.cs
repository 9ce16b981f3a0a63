// Several classes start a whole embedded suite; one at a time keeps their first calls from starving each other in CI.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
