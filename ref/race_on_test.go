//go:build race

package ref

// raceEnabled shrinks the brute-force comparisons: the race detector makes
// them about ten times slower.
const raceEnabled = true
