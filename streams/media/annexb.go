package media

import "sync"

// annexB caches the Annex-B form of an access unit. Every WebRTC viewer of
// a camera needs the same bytes, so they are built once, on first use.
type annexB struct {
	once  sync.Once
	bytes []byte
}

var startCode = []byte{0, 0, 0, 1}

// AnnexB returns the unit as an Annex-B byte stream (4-byte start codes).
// The result is shared: callers must not modify it.
func (au *AccessUnit) AnnexB() []byte {
	au.annexB.once.Do(func() {
		b := make([]byte, 0, au.Size()+4*len(au.NALUs))
		for _, nalu := range au.NALUs {
			b = append(b, startCode...)
			b = append(b, nalu...)
		}
		au.annexB.bytes = b
	})
	return au.annexB.bytes
}
