package gateway

import "time"

// SetTourUnit shortens one second of a tour's dwell for tests.
func SetTourUnit(d time.Duration) (restore func()) {
	old := tourUnit
	tourUnit = d
	return func() { tourUnit = old }
}
