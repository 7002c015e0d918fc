package transcode

import "io"

const tsPacketSize = 188

// frameWriter collects the MPEG-TS packets of one unit and hands them to
// ffmpeg in one write. On the way it fills in the PES length of video:
// astits writes 0 ("unbounded") for video, and then ffmpeg's demuxer holds
// every frame until the next one begins, a frame of extra delay. With the
// length set, ffmpeg passes the frame on as soon as its last byte is in.
// Frames over 64 KiB (large keyframes) cannot say their length and stay
// unbounded.
type frameWriter struct {
	w   io.Writer
	buf []byte
}

func (f *frameWriter) Write(b []byte) (int, error) {
	f.buf = append(f.buf, b...)
	return len(b), nil
}

// flush sends what was written since the last flush: one unit.
func (f *frameWriter) flush() error {
	setVideoPESLength(f.buf)
	_, err := f.w.Write(f.buf)
	f.buf = f.buf[:0]
	return err
}

// setVideoPESLength fills in the length of an unbounded video PES that
// starts and ends within buf (whole TS packets).
func setVideoPESLength(buf []byte) {
	if len(buf)%tsPacketSize != 0 {
		return
	}
	start, pid, total := -1, -1, 0
	for off := 0; off < len(buf); off += tsPacketSize {
		p := buf[off : off+tsPacketSize]
		payload, ok := tsPayload(p)
		if !ok {
			continue
		}
		ppid := int(p[1]&0x1f)<<8 | int(p[2])
		if p[1]&0x40 != 0 && isUnboundedVideoPES(payload) {
			if start >= 0 {
				return // a second PES: not one unit, leave it alone
			}
			start, pid = off+tsPacketSize-len(payload), ppid
		}
		if start >= 0 && ppid == pid {
			total += len(payload)
		}
	}
	if start < 0 || total-6 > 0xffff {
		return
	}
	buf[start+4], buf[start+5] = byte((total-6)>>8), byte(total-6)
}

// tsPayload returns a TS packet's payload, after any adaptation field.
func tsPayload(p []byte) ([]byte, bool) {
	if p[0] != 0x47 || p[3]&0x10 == 0 {
		return nil, false
	}
	off := 4
	if p[3]&0x20 != 0 {
		off += 1 + int(p[4])
	}
	if off >= len(p) {
		return nil, false
	}
	return p[off:], true
}

// isUnboundedVideoPES reports a PES header of a video stream (stream id
// 0xE0–0xEF) with length 0.
func isUnboundedVideoPES(b []byte) bool {
	return len(b) >= 6 && b[0] == 0 && b[1] == 0 && b[2] == 1 && b[3]&0xf0 == 0xe0 && b[4] == 0 && b[5] == 0
}
