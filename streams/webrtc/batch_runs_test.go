package webrtc

import (
	"reflect"
	"testing"
)

func TestBatchRuns(t *testing.T) {
	full := func(n int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = 1228
		}
		return s
	}
	cat := func(parts ...[]int) []int {
		var s []int
		for _, p := range parts {
			s = append(s, p...)
		}
		return s
	}
	for _, tc := range []struct {
		name  string
		sizes []int
		want  []batchRun
	}{
		{"one packet", []int{700}, []batchRun{{1, 700, 700}}},
		{"fragments and a short end", cat(full(8), []int{400}), []batchRun{{9, 1228, 8*1228 + 400}}},
		{"an SEI before the slice", cat([]int{60}, full(8), []int{400}), []batchRun{{1, 60, 60}, {9, 1228, 8*1228 + 400}}},
		{"two slices", cat(full(3), []int{500}, full(2), []int{300}), []batchRun{{4, 1228, 3*1228 + 500}, {3, 1228, 2*1228 + 300}}},
		{"a bigger packet starts a run", []int{1228, 1300, 1228}, []batchRun{{1, 1228, 1228}, {2, 1300, 2528}}},
		{"ends on a full packet", full(3), []batchRun{{3, 1228, 3 * 1228}}},
		{"parameter sets, then an IDR", cat([]int{30, 8}, full(2), []int{90}), []batchRun{{2, 30, 38}, {3, 1228, 2*1228 + 90}}},
		{"at most batchMaxPackets a run", full(batchMaxPackets + 1), []batchRun{{batchMaxPackets, 1228, batchMaxPackets * 1228}, {1, 1228, 1228}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := batchRuns(nil, tc.sizes); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
