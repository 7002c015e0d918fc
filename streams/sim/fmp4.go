package sim

import (
	"bytes"
	"fmt"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"
)

// codedTrack is the single track of an ffmpeg fragmented-MP4 output.
type codedTrack struct {
	timeScale int64
	codec     fmp4.Codec
	samples   []codedSample // decode order
}

// codedSample is one sample with its times in timeScale units.
type codedSample struct {
	dts, pts int64
	payload  []byte
}

// readFMP4 reads the init and all fragments of b (which must hold exactly
// one track), as mediacommon parses them.
func readFMP4(b []byte) (*codedTrack, error) {
	var ini fmp4.Init
	if err := ini.Unmarshal(bytes.NewReader(b)); err != nil {
		return nil, fmt.Errorf("ffmpeg output init: %w", err)
	}
	if len(ini.Tracks) != 1 {
		return nil, fmt.Errorf("ffmpeg output has %d tracks, want 1", len(ini.Tracks))
	}
	it := ini.Tracks[0]
	var parts fmp4.Parts
	if err := parts.Unmarshal(b); err != nil {
		return nil, fmt.Errorf("ffmpeg output fragments: %w", err)
	}
	t := &codedTrack{timeScale: int64(it.TimeScale), codec: it.Codec}
	for _, p := range parts {
		for _, pt := range p.Tracks {
			if pt.ID != it.ID {
				continue
			}
			dts := int64(pt.BaseTime)
			for _, s := range pt.Samples {
				t.samples = append(t.samples, codedSample{dts: dts, pts: dts + int64(s.PTSOffset), payload: s.Payload})
				dts += int64(s.Duration)
			}
		}
	}
	if len(t.samples) == 0 {
		return nil, fmt.Errorf("ffmpeg output has no samples")
	}
	return t, nil
}
