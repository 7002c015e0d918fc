package sim

import (
	"fmt"
	"image"
	"io"
	"strconv"
	"time"

	"vigil/streams/media"
)

// videoLoopKey identifies a loop: cameras whose pictures and coding are
// the same share one.
type videoLoopKey struct {
	codec         media.Codec
	width, height int
	fps, gop      int
	bitrate       int
	bframes       int
	title         string
	subtitle      string
	index         int // background colour
}

// loopMaxFrames bounds a loop's length (and so its memory and encode time).
const loopMaxFrames = 1500

// loopFrames is the loop length: whole GOPs covering at least 4 s and two
// GOPs, so the wrap lands on a keyframe and a reader sees keyframes come
// and go as they do live.
func loopFrames(fps, gop int) int {
	want := max(4*fps, 2*gop)
	return (want + gop - 1) / gop * gop
}

// acquireVideoLoop returns the shared loop of k, encoding it on first use.
func acquireVideoLoop(k videoLoopKey) (*videoLoop, func(), error) {
	v, release, err := loops.acquire(k, func() (sized, error) { return encodeVideoLoop(k) })
	if err != nil {
		return nil, nil, err
	}
	return v.(*videoLoop), release, nil
}

// encodeVideoLoop renders the camera's picture for a loop of frames and
// has ffmpeg encode them.
func encodeVideoLoop(k videoLoopKey) (*videoLoop, error) {
	n := loopFrames(k.fps, k.gop)
	if n > loopMaxFrames {
		return nil, fmt.Errorf("sim: gop %d at %d fps makes a loop of %d frames, over %d", k.gop, k.fps, n, loopMaxFrames)
	}
	pic, err := NewPicture(PictureOptions{
		Width: k.width, Height: k.height, Index: k.index, Title: k.title, Subtitle: k.subtitle,
	})
	if err != nil {
		return nil, err
	}
	start := time.Now()
	feed := func(w io.Writer) error {
		buf := make([]byte, 0, k.width*k.height*3/2)
		g := grain(uint32(k.index)*2654435761 | 1) // xorshift needs a nonzero seed
		for i := range n {
			img := pic.Draw(start.Add(time.Duration(i)*time.Second/time.Duration(k.fps)), int64(i))
			buf = appendI420(buf[:0], img)
			g.apply(buf[:k.width*k.height])
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
		return nil
	}
	out, err := runFFmpeg(videoArgs(k), feed)
	if err != nil {
		return nil, err
	}
	tr, err := readFMP4(out)
	if err != nil {
		return nil, err
	}
	l, err := newVideoLoop(tr, n, k.fps)
	if err != nil {
		return nil, err
	}
	l.track.Width, l.track.Height = k.width, k.height
	return l, nil
}

// videoArgs asks for camera-like coding: fixed GOP (no scene-cut
// keyframes), closed GOPs, constant-ish bitrate, B-frames only when asked.
func videoArgs(k videoLoopKey) []string {
	itoa := strconv.Itoa
	rate := itoa(k.bitrate)
	args := []string{
		"-hide_banner", "-loglevel", "error",
		"-f", "rawvideo", "-pix_fmt", "yuv420p", "-video_size", itoa(k.width) + "x" + itoa(k.height),
		"-framerate", itoa(k.fps), "-i", "pipe:0", "-an",
		"-preset", "ultrafast", "-g", itoa(k.gop), "-b:v", rate, "-maxrate", rate, "-bufsize", rate,
	}
	if k.codec == media.CodecH265 {
		args = append(args, "-c:v", "libx265", "-x265-params",
			fmt.Sprintf("keyint=%d:min-keyint=%d:scenecut=0:bframes=0:open-gop=0:log-level=error", k.gop, k.gop))
	} else {
		args = append(args, "-c:v", "libx264", "-keyint_min", itoa(k.gop), "-sc_threshold", "0",
			"-bf", itoa(k.bframes), "-x264-params", "open-gop=0")
	}
	args = append(args, "-video_track_timescale", "90000")
	return append(args, ffmpegFMP4Output...)
}

// appendI420 appends the planes of img as rawvideo yuv420p.
func appendI420(b []byte, img *image.YCbCr) []byte {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for y := range h {
		b = append(b, img.Y[y*img.YStride:y*img.YStride+w]...)
	}
	for _, plane := range [][]byte{img.Cb, img.Cr} {
		for y := range h / 2 {
			b = append(b, plane[y*img.CStride:y*img.CStride+w/2]...)
		}
	}
	return b
}

// grain is sensor noise on luma. A flat synthetic picture codes to a few
// kbit/s whatever the target; real cameras' grain makes the encoder spend
// the bitrate asked for, which is what loads a gateway. xorshift32 state.
type grain uint32

// grainAmp is the noise amplitude in luma steps (each side).
const grainAmp = 6

func (g *grain) apply(luma []byte) {
	x := uint32(*g)
	for i, v := range luma {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		n := int(v) + int(x%(2*grainAmp+1)) - grainAmp
		luma[i] = byte(min(lumaWhite, max(lumaBlack, n)))
	}
	*g = grain(x)
}

// defaultBitrate is about 1 Mbit/s at 640x360, scaled by pixels, within
// what station cameras send.
func defaultBitrate(w, h int) int {
	return min(4_000_000, max(100_000, int(int64(w)*int64(h)*1_000_000/(640*360))))
}
