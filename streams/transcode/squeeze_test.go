package transcode

import (
	"testing"
	"time"

	"vigil/streams/media"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestSqueezeEndsAtTheLiveEdge(t *testing.T) {
	var burst []*media.AccessUnit
	for i := range 50 { // a 2 s GOP at 25 fps
		burst = append(burst, &media.AccessUnit{PTS: ms(10000 + 40*i), DTS: ms(10000 + 40*i), Key: i == 0})
	}
	got := squeeze(burst)
	last := got[len(got)-1]
	if last.pts != ms(10000+40*49) || last.dts != last.pts {
		t.Fatalf("live edge moved: %+v", last)
	}
	if span := last.dts - got[0].dts; span > squeezeMax || span < ms(40) {
		t.Fatalf("burst spans %v, want a few tens of ms", span)
	}
	for i := 1; i < len(got); i++ {
		if got[i].dts <= got[i-1].dts || toTicks(got[i].dts) == toTicks(got[i-1].dts) {
			t.Fatalf("unit %d: DTS %v after %v", i, got[i].dts, got[i-1].dts)
		}
	}
}

// Reordered pictures (I P B B, decoding order) keep their presentation
// order, PTS >= DTS, and stay before the live units that follow.
func TestSqueezeKeepsReordering(t *testing.T) {
	// Display order I0 B1 B2 P3 B4 B5 P6; decoding order I0 P3 B1 B2 P6 B4 B5.
	order := []int{0, 3, 1, 2, 6, 4, 5}
	var burst []*media.AccessUnit
	for d, p := range order {
		burst = append(burst, &media.AccessUnit{PTS: ms(1000 + 40*p), DTS: ms(1000 - 80 + 40*d)})
	}
	got := squeeze(burst)
	for i := range got {
		if got[i].pts < got[i].dts {
			t.Fatalf("unit %d: PTS %v before DTS %v", i, got[i].pts, got[i].dts)
		}
		if i > 0 && got[i].dts <= got[i-1].dts {
			t.Fatalf("unit %d: DTS not increasing", i)
		}
	}
	for a := range got { // presentation order unchanged
		for b := range got {
			if (burst[a].PTS < burst[b].PTS) != (got[a].pts < got[b].pts) {
				t.Fatalf("units %d and %d swapped their display order", a, b)
			}
		}
	}
	// The next live unit in decoding order is P9 (DTS one step on, PTS
	// at 9); it must come after every squeezed time.
	nextDTS, nextPTS := burst[len(burst)-1].DTS+ms(40), ms(1000+40*9)
	for _, f := range got {
		if f.dts >= nextDTS || f.pts >= nextPTS {
			t.Fatalf("squeezed %+v not before the next live unit", f)
		}
	}
}

func TestSqueezeShortBurstUnchanged(t *testing.T) {
	one := []*media.AccessUnit{{PTS: ms(5), DTS: ms(5), Key: true}}
	if got := squeeze(one); got[0].pts != ms(5) || got[0].dts != ms(5) {
		t.Fatalf("single unit moved: %+v", got[0])
	}
	if got := squeeze(nil); len(got) != 0 {
		t.Fatal("empty burst")
	}
}
