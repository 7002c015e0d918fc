package diagnose

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"vigil/streams/media"
)

// x264Keyframes codes n different 640×360 pictures (a sub stream's size)
// as H.264 IDRs with libx264, as a camera's would reach the hub.
func x264Keyframes(b *testing.B, n int) []*media.AccessUnit {
	b.Helper()
	needFFmpeg(b)
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
		"-frames:v", "100", "-c:v", "libx264", "-preset", "veryfast", "-b:v", "800k",
		"-x264-params", "keyint=1:aud=1", "-f", "h264", "-").Output()
	if err != nil {
		b.Fatal(err)
	}
	var keys []*media.AccessUnit
	for _, unit := range bytes.Split(out, []byte{0, 0, 0, 1, 0x09})[1:] {
		var nalus [][]byte
		for _, n := range bytes.Split(unit, []byte{0, 0, 1})[1:] {
			nalus = append(nalus, bytes.TrimRight(n, "\x00"))
		}
		keys = append(keys, &media.AccessUnit{NALUs: nalus, Key: true})
	}
	for len(keys) < n {
		keys = append(keys, keys...)
	}
	return keys[:n]
}

func cpuTime() time.Duration {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	total := func(r syscall.Rusage) time.Duration {
		return time.Duration(r.Utime.Nano() + r.Stime.Nano())
	}
	return total(self) + total(children)
}

// keptCPU is the CPU time of the decoder's kept ffmpeg processes, which
// RUSAGE_CHILDREN does not count until they are waited for.
func keptCPU(d *Decoder) time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	var total time.Duration
	for _, r := range d.runners {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", r.cmd.Process.Pid))
		if err != nil {
			continue
		}
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		total += time.Duration(utime+stime) * 10 * time.Millisecond // USER_HZ 100
	}
	return total
}

// BenchmarkDiagnose100 is one diagnosis round of 100 cameras: their
// keyframes decoded through the kept ffmpeg and each compared with its
// previous picture. cores/100cams is the CPU time of a round (this
// process and ffmpeg, read from /proc) over the default 10 s period.
func BenchmarkDiagnose100(b *testing.B) {
	d, err := NewDecoder(Options{})
	if err != nil {
		b.Skip(err)
	}
	defer d.Close()
	keys := x264Keyframes(b, 100)
	prev := make([]Picture, len(keys))
	d.Decode(context.Background(), media.CodecH264, keys) // start the kept process
	b.ResetTimer()
	start, startKept := cpuTime(), keptCPU(d)
	for b.Loop() {
		pics, errs := d.Decode(context.Background(), media.CodecH264, keys)
		for i, p := range pics {
			if errs[i] != nil {
				b.Fatal(errs[i])
			}
			_ = Difference(prev[i], p) + int(p.Spread())
			prev[i] = p
		}
	}
	perRound := (cpuTime() - start + keptCPU(d) - startKept) / time.Duration(b.N)
	b.ReportMetric(perRound.Seconds()/(10*time.Second).Seconds(), "cores/100cams")
	b.ReportMetric(float64(perRound.Milliseconds()), "cpu-ms/round")
}
