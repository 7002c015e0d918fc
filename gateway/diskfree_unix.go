//go:build unix

package gateway

import (
	"fmt"
	"syscall"
)

// diskFree returns the free share of dir's file system, in percent.
func diskFree(dir string) (float64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("statfs %s: %w", dir, err)
	}
	if st.Blocks == 0 {
		return 100, nil
	}
	return float64(st.Bavail) / float64(st.Blocks) * 100, nil
}
