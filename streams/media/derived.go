package media

import (
	"sync"
	"unsafe"
	"weak"
)

// derived shares one form of a unit cut by its readers: every WebRTC
// viewer of a camera sends the same RTP payloads, so they are cut once and
// shared, also by each viewer's NACK history, which keeps them instead of
// a copy. The unit holds them weakly: once no sender keeps them (the NACK
// histories move on within a second), the GOP cache does not keep a second
// copy of every frame, and a viewer starting later cuts them again.
type derived struct {
	mu   sync.Mutex
	buf  weak.Pointer[byte] // the first byte of the payloads' buffer
	size int                // the buffer's length
	ends []int              // each payload's end offset in it
}

// Derived returns cut(au.NALUs), shared with every caller while any of
// them keeps the result, whatever function they pass: a unit has one such
// form (a hub carries one codec, cut by one packetizer). cut must return
// its payloads back to back in one buffer; other results are not shared.
// The result is shared: callers must not modify it.
func (au *AccessUnit) Derived(cut func(nalus [][]byte) [][]byte) [][]byte {
	d := &au.derived
	d.mu.Lock()
	defer d.mu.Unlock()
	if p := d.buf.Value(); p != nil {
		return split(unsafe.Slice(p, d.size), d.ends)
	}
	out := cut(au.NALUs)
	ends, ok := backToBack(out)
	if !ok {
		return out
	}
	d.buf, d.size, d.ends = weak.Make(&out[0][0]), ends[len(ends)-1], ends
	return out
}

// backToBack returns the end offsets of payloads that follow each other
// in one buffer from the first one's start.
func backToBack(out [][]byte) ([]int, bool) {
	if len(out) == 0 || len(out[0]) == 0 {
		return nil, false
	}
	base := uintptr(unsafe.Pointer(&out[0][0]))
	ends := make([]int, len(out))
	end := 0
	for i, p := range out {
		if len(p) == 0 || uintptr(unsafe.Pointer(&p[0])) != base+uintptr(end) {
			return nil, false
		}
		end += len(p)
		ends[i] = end
	}
	return ends, true
}

func split(buf []byte, ends []int) [][]byte {
	out := make([][]byte, len(ends))
	start := 0
	for i, end := range ends {
		out[i] = buf[start:end:end]
		start = end
	}
	return out
}
