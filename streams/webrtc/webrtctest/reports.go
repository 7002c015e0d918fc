package webrtctest

import (
	"sync"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
)

// senderReports keeps each track's sender reports as they come.
type senderReports struct {
	mu   sync.Mutex
	last map[int]rtcp.SenderReport
	seen map[int]int
}

// readReports reads the RTCP the sender sends about track index until
// the peer connection closes.
func (r *Receiver) readReports(index int, recv *webrtc.RTPReceiver) {
	for {
		pkts, _, err := recv.ReadRTCP()
		if err != nil {
			return
		}
		for _, p := range pkts {
			sr, ok := p.(*rtcp.SenderReport)
			if !ok {
				continue
			}
			r.reports.mu.Lock()
			if r.reports.last == nil {
				r.reports.last, r.reports.seen = map[int]rtcp.SenderReport{}, map[int]int{}
			}
			r.reports.last[index] = *sr
			r.reports.seen[index]++
			r.reports.mu.Unlock()
		}
	}
}

// SenderReport returns the last sender report about track i and how many
// have come.
func (r *Receiver) SenderReport(i int) (last rtcp.SenderReport, count int) {
	r.reports.mu.Lock()
	defer r.reports.mu.Unlock()
	return r.reports.last[i], r.reports.seen[i]
}
