package postgres

// SplitBatches makes batches of at least n positions go over two
// connections, and stop runs between the two commits of such a batch (nil:
// none), until the test ends.
func SplitBatches(n int, stop func() error) (restore func()) {
	oldMin, oldStop := parallelMin, afterPartCommit
	parallelMin, afterPartCommit = n, stop
	return func() { parallelMin, afterPartCommit = oldMin, oldStop }
}
