package webrtc

// batchRun is packets sent as one message: with GSO every packet but the
// last has the size seg, and the last may be smaller.
type batchRun struct {
	packets int
	seg     int
	bytes   int
}

// batchRuns splits packets of the given sizes, in order, into the fewest
// runs GSO can send: a run goes on while the packets have its first
// one's size, takes one smaller packet as its last, and holds at most
// batchMaxPackets. A frame of an SEI, eight full fragments and a short
// last one is two runs: the SEI, then the slice.
func batchRuns(runs []batchRun, sizes []int) []batchRun {
	for i := 0; i < len(sizes); {
		r := batchRun{seg: sizes[i]}
		for i < len(sizes) && r.packets < batchMaxPackets {
			n := sizes[i]
			if n > r.seg {
				break
			}
			r.packets++
			r.bytes += n
			i++
			if n < r.seg {
				break
			}
		}
		runs = append(runs, r)
	}
	return runs
}
