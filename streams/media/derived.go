package media

import "sync"

// derived caches one value computed from a unit by its readers: every
// WebRTC viewer of a camera sends the same RTP payloads, so they are cut
// once, on first use, and shared (also by each viewer's NACK history,
// which keeps them instead of a copy).
type derived struct {
	once  sync.Once
	value [][]byte
}

// Derived returns cut(au.NALUs), computed by the first caller and shared
// with every later one, whatever function they pass: a unit has one such
// form (a hub carries one codec, cut by one packetizer). The result is
// shared: callers must not modify it.
func (au *AccessUnit) Derived(cut func(nalus [][]byte) [][]byte) [][]byte {
	au.derived.once.Do(func() { au.derived.value = cut(au.NALUs) })
	return au.derived.value
}
