package ais

import "strings"

// Text trims the padding of an AIS text field ('@' fill and spaces), as
// every consumer of names, call signs and destinations needs it.
func Text(s string) string { return strings.TrimRight(strings.TrimSpace(s), "@ ") }
