package sim

import (
	"fmt"
	"image"
	"strings"
)

// Fault is a failure a camera shows on cue, as real ones do in the field,
// so the gateway's alarms can be tested end to end. Unlike Garbage the
// wire stays clean.
type Fault int32

const (
	// FaultNone: a healthy camera.
	FaultNone Fault = iota
	// FaultFreeze keeps sending frames at the frame rate, all showing the
	// same picture (a hung encoder, a stuck sensor).
	FaultFreeze
	// FaultBlack sends a black picture (covered lens, a cut sensor cable).
	// It needs the builtin encoder.
	FaultBlack
	// FaultStall sends nothing on an open session: the connection and the
	// RTSP session stay up, no frame comes.
	FaultStall
	// FaultUnauthorized drops the sessions and answers every new DESCRIBE
	// with 401, as a camera whose password was changed.
	FaultUnauthorized
	// FaultThin sends one frame time in thinEvery, the others not at all:
	// the frame rate, and with it the bitrate, drops to a fifth on the
	// open session (a camera starved of bandwidth, or switched to a low
	// rate), while frames still come often enough not to count as lost.
	FaultThin
)

// thinEvery: FaultThin sends frame n only when n is a multiple of it.
const thinEvery = 5

var faultNames = []string{"none", "freeze", "black", "stall", "unauthorized", "thin"}

// String names the fault as camsim spells it.
func (f Fault) String() string {
	if f >= 0 && int(f) < len(faultNames) {
		return faultNames[f]
	}
	return fmt.Sprintf("fault(%d)", int32(f))
}

// ParseFault reads a fault's name.
func ParseFault(s string) (Fault, error) {
	for i, n := range faultNames {
		if strings.EqualFold(s, n) {
			return Fault(i), nil
		}
	}
	return FaultNone, fmt.Errorf("sim: fault %q: want one of %s", s, strings.Join(faultNames, ", "))
}

// pictureFault is what a video source draws instead of its live picture.
type pictureFault int

const (
	pictureLive pictureFault = iota
	pictureFrozen
	pictureBlack
)

func (f Fault) picture() pictureFault {
	switch f {
	case FaultFreeze:
		return pictureFrozen
	case FaultBlack:
		return pictureBlack
	}
	return pictureLive
}

// blackImage returns a w×h picture at video black (luma 16).
func blackImage(w, h int) *image.YCbCr {
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = 16
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = 128, 128
	}
	return img
}
