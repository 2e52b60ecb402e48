//go:build !unix

package sanctions

import "time"

func cpuTime() time.Duration { return 0 }
