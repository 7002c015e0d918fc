package segstore

import (
	"errors"
	"fmt"
)

// Timescale is the media clock of recorded segments: 90 kHz, the RTP
// clock of video, so camera timestamps convert without rounding.
const Timescale = 90000

// Init is what a segment's header (ftyp + moov) says about its video.
type Init struct {
	Timescale     uint32
	Width, Height int
	SPS, PPS      []byte // H.264 parameter sets, without start codes
}

// errNoVideo means the moov holds no H.264 track this package understands.
var errNoVideo = errors.New("segstore: no H.264 track in segment header")

// parseInit reads the first track of a moov body. Segments are written
// by record with exactly one H.264 track.
func parseInit(moov []byte) (Init, error) {
	mdia := findPath(moov, "trak", "mdia")
	if mdia == nil {
		return Init{}, errNoVideo
	}
	var in Init
	mdhd := findPath(mdia, "mdhd")
	r := bodyReader{b: mdhd}
	if r.u8() == 1 { // version 1: 64-bit times
		r.take(3 + 16)
	} else {
		r.take(3 + 8)
	}
	in.Timescale = r.u32()
	if r.bad || in.Timescale == 0 {
		return Init{}, fmt.Errorf("segstore: bad mdhd")
	}
	stsd := findPath(mdia, "minf", "stbl", "stsd")
	if len(stsd) < 8 {
		return Init{}, errNoVideo
	}
	avc1 := findPath(stsd[8:], "avc1")
	if len(avc1) < 78 {
		return Init{}, errNoVideo
	}
	r = bodyReader{b: avc1[24:28]}
	in.Width, in.Height = int(r.u16()), int(r.u16())
	avcC := findPath(avc1[78:], "avcC")
	sps, pps, err := parseAVCC(avcC)
	if err != nil {
		return Init{}, err
	}
	in.SPS, in.PPS = sps, pps
	return in, nil
}

// parseAVCC returns the first SPS and PPS of an AVCDecoderConfigurationRecord.
func parseAVCC(b []byte) (sps, pps []byte, err error) {
	r := bodyReader{b: b}
	if r.u8() != 1 {
		return nil, nil, fmt.Errorf("segstore: bad avcC version")
	}
	r.take(4) // profile, compatibility, level, length size
	nsps := int(r.u8() & 0x1f)
	for i := range nsps {
		n := r.take(int(r.u16()))
		if i == 0 {
			sps = n
		}
	}
	npps := int(r.u8())
	for i := range npps {
		n := r.take(int(r.u16()))
		if i == 0 {
			pps = n
		}
	}
	if r.bad || len(sps) < 4 || len(pps) == 0 {
		return nil, nil, fmt.Errorf("segstore: bad avcC")
	}
	return sps, pps, nil
}
