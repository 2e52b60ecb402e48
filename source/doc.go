// Package source opens the inputs lookout analyze reads: files or "-" for
// standard input, gzip-compressed or not.
package source
