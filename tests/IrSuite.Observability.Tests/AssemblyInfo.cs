// One test at a time: the span and metric listeners see every host in the process, and the trace test's assertions
// pick spans by name (another test's CompleteCase would be a second match).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
