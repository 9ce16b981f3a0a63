// One test class at a time: each class starts a whole suite (the embedded one, or four host processes for the
// distributed test), and on the 2-core CI machine three of them starting together starved each other's first calls
// past their 15 s deadline (seen in CI: two classes failing at the same second). Serial runs cost about a minute.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
