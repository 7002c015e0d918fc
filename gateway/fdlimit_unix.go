//go:build unix

package gateway

import "syscall"

// openFileLimit is the process's open-file limit (RLIMIT_NOFILE, which
// the Go runtime raises to the hard limit at start), 0 if unknown.
func openFileLimit() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur > 1<<30 {
		return 0
	}
	return int(rl.Cur)
}
