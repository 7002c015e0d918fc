package transcode

import (
	"strings"
	"testing"

	"vigil/streams/media"
)

func TestVideoArgs(t *testing.T) {
	o := Options{Kind: VideoToH264}
	o.setDefaults()
	for _, accel := range []string{"", "vaapi", "nvenc", "qsv"} {
		o.HWAccel = accel
		args, err := ffmpegArgs(o, media.Track{Codec: media.CodecH265}, true)
		if err != nil {
			t.Fatal(err)
		}
		line := strings.Join(args, " ")
		for _, want := range []string{
			"-f mpegts -i pipe:0", "-bf 0", "-force_key_frames source", "-fps_mode passthrough",
			"-enc_time_base -1", "-copyts", "-muxdelay 0", "-flush_packets 1", "-f mpegts pipe:1",
		} {
			if !strings.Contains(line, want) {
				t.Errorf("hwaccel %q: %q missing from %s", accel, want, line)
			}
		}
		if !strings.Contains(line, "-flags low_delay -probesize") {
			t.Errorf("hwaccel %q: no low_delay decoding: %s", accel, line)
		}
		if strings.Contains(line, "nobuffer") {
			t.Errorf("hwaccel %q: -fflags nobuffer drops the probed keyframe", accel)
		}
	}
	o.HWAccel = ""
	if args, _ := ffmpegArgs(o, media.Track{Codec: media.CodecH264}, false); strings.Contains(strings.Join(args, " "), "low_delay") {
		t.Error("low_delay decoding for B-frames")
	}
	o.HWAccel = "cuda"
	if _, err := ffmpegArgs(o, media.Track{Codec: media.CodecH265}, true); err == nil {
		t.Fatal("unknown hwaccel accepted")
	}
}

func TestAudioArgs(t *testing.T) {
	o := Options{Kind: AudioToOpus}
	o.setDefaults()
	for ch, want := range map[int]string{1: "-ac 1 -b:a 32000", 2: "-ac 2 -b:a 64000", 6: "-ac 2 -b:a 64000"} {
		args, err := ffmpegArgs(o, media.Track{Codec: media.CodecAAC, Channels: ch}, false)
		if err != nil {
			t.Fatal(err)
		}
		line := strings.Join(args, " ")
		if !strings.Contains(line, want) || !strings.Contains(line, "-c:a libopus -ar 48000") ||
			!strings.Contains(line, "-frame_duration 20") {
			t.Errorf("%d channels: %s", ch, line)
		}
	}
}
