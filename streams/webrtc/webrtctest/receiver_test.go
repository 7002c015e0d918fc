package webrtctest

import "testing"

// pion calls OnTrack on a goroutine of its own, which may run as or after
// Close waits for the track readers: such a late track starts no reader
// (one started then would run past Close, unwaited; started while Close
// waited it raced the WaitGroup, seen beside two busy loops).
func TestTrackAfterCloseStartsNoReader(t *testing.T) {
	r, _, err := NewReceiver(1)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	r.onTrack(nil, nil) // a reader would dereference the nil track
	r.wg.Wait()
}
