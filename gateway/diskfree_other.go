//go:build !unix

package gateway

import "errors"

// diskFree is unknown outside Unix: no disk_low alarm.
func diskFree(string) (float64, error) { return 0, errors.New("disk free space unknown") }
