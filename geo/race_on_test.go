//go:build race

package geo

// raceEnabled shrinks the brute-force comparisons: the race detector makes
// them about ten times slower.
const raceEnabled = true
