package gateway

// SetAlarmDiskFree makes the alarm detector read the data disk's free
// share from free (given the data directory) instead of the file system.
func SetAlarmDiskFree(free func(dir string) (float64, error)) (restore func()) {
	old := alarmDiskFree
	alarmDiskFree = free
	return func() { alarmDiskFree = old }
}

// DiskFree is the gateway's own reading of dir's free share, in percent.
func DiskFree(dir string) (float64, error) { return diskFree(dir) }

// SetAlarmNormAfter sets how many looks at a camera's bitrate make its
// norm before a bitrate_drop is judged.
func SetAlarmNormAfter(looks int) (restore func()) {
	old := alarmNormAfter
	alarmNormAfter = looks
	return func() { alarmNormAfter = old }
}
