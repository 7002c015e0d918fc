package h264enc

import (
	"bytes"
	"testing"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
)

func TestEscape(t *testing.T) {
	cases := map[string][2][]byte{
		"plain":     {{1, 2, 3}, {1, 2, 3}},
		"start":     {{0, 0, 1}, {0, 0, 3, 1}},
		"zeros":     {{0, 0, 0, 0}, {0, 0, 3, 0, 0}},
		"three":     {{0, 0, 3}, {0, 0, 3, 3}},
		"four":      {{0, 0, 4}, {0, 0, 4}},
		"two pairs": {{0, 0, 2, 0, 0, 1}, {0, 0, 3, 2, 0, 0, 3, 1}},
	}
	for name, c := range cases {
		if got := appendEscaped(nil, c[0]); !bytes.Equal(got, c[1]) {
			t.Errorf("%s: got % x, want % x", name, got, c[1])
		}
	}
}

// FuzzEscape checks that escaping leaves no start code and round-trips
// through mediacommon's remover.
func FuzzEscape(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0, 0, 3, 0, 0})
	f.Add([]byte{0xff, 0, 0})
	f.Fuzz(func(t *testing.T, p []byte) {
		if len(p) > 0 && p[len(p)-1] == 0 {
			p = append(p, 0x80) // an RBSP ends with the stop bit
		}
		esc := appendEscaped(nil, p)
		for i := 2; i < len(esc); i++ {
			if esc[i-2] == 0 && esc[i-1] == 0 && esc[i] <= 2 {
				t.Fatalf("start code prefix at %d in % x", i, esc)
			}
		}
		if back := h264.EmulationPreventionRemove(esc); !bytes.Equal(back, p) {
			t.Fatalf("round trip: % x -> % x -> % x", p, esc, back)
		}
	})
}
