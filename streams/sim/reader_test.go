package sim

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/pion/rtp"

	"vigil/internal/testwait"
)

// needFFmpeg skips a test when ffmpeg (or ffprobe) is missing, unless
// CI=true, where its absence is a failure (.ci/run installs it).
func needFFmpeg(t *testing.T) {
	t.Helper()
	for _, bin := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required in CI", bin)
			}
			t.Skip("ffmpeg not installed: " + err.Error())
		}
	}
}

// mediaReader plays every media of a stream with a gortsplib client.
type mediaReader struct {
	desc  *description.Session
	video chan au          // decoded access units
	audio chan audioPacket // audio packets
}

// audioPacket is one received audio packet and the frames it carried.
type audioPacket struct {
	frames int
	ts     uint32
	at     time.Time
}

// packetDecoder is what gortsplib's H.264 and H.265 decoders share.
type packetDecoder interface {
	Decode(*rtp.Packet) ([][]byte, error)
}

func playAll(t *testing.T, url string) *mediaReader {
	t.Helper()
	u, err := base.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	tr := gortsplib.TransportTCP
	c := &gortsplib.Client{Scheme: u.Scheme, Host: u.Host, Transport: &tr}
	if err := c.Start2(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	desc, _, err := c.Describe(u)
	if err != nil {
		t.Fatalf("describe %s: %v", url, err)
	}
	if err := c.SetupAll(desc.BaseURL, desc.Medias); err != nil {
		t.Fatal(err)
	}
	r := &mediaReader{desc: desc, video: make(chan au, 4096), audio: make(chan audioPacket, 4096)}
	for _, m := range desc.Medias {
		f := m.Formats[0]
		if m.Type == description.MediaTypeVideo {
			c.OnPacketRTP(m, f, r.onVideo(t, f))
		} else {
			c.OnPacketRTP(m, f, r.onAudio(t, f))
		}
	}
	if _, err := c.Play(nil); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *mediaReader) onVideo(t *testing.T, f format.Format) func(*rtp.Packet) {
	var dec packetDecoder
	var err error
	switch f := f.(type) {
	case *format.H264:
		dec, err = f.CreateDecoder()
	case *format.H265:
		dec, err = f.CreateDecoder()
	default:
		t.Fatalf("video format %T", f)
	}
	if err != nil {
		t.Fatal(err)
	}
	return func(p *rtp.Packet) {
		if nalus, err := dec.Decode(p); err == nil {
			select {
			case r.video <- au{nalus, p.Timestamp, time.Now()}:
			default:
			}
		}
	}
}

func (r *mediaReader) onAudio(t *testing.T, f format.Format) func(*rtp.Packet) {
	frames := func(*rtp.Packet) int { return 1 } // G.711 and Opus: one frame a packet
	if aac, ok := f.(*format.MPEG4Audio); ok {
		dec, err := aac.CreateDecoder()
		if err != nil {
			t.Fatal(err)
		}
		frames = func(p *rtp.Packet) int {
			aus, _ := dec.Decode(p)
			return len(aus)
		}
	}
	return func(p *rtp.Packet) {
		select {
		case r.audio <- audioPacket{frames(p), p.Timestamp, time.Now()}:
		default:
		}
	}
}

func (r *mediaReader) nextAU(t *testing.T) au {
	t.Helper()
	select {
	case a := <-r.video:
		return a
	case <-time.After(testwait.Cap):
		t.Fatal("no access unit")
		return au{}
	}
}

// collect returns the access units received during d.
func (r *mediaReader) collect(t *testing.T, d time.Duration) []au {
	t.Helper()
	var out []au
	for end := time.Now().Add(d); time.Now().Before(end); {
		out = append(out, r.nextAU(t))
	}
	return out
}

// ffmpegDecode writes aus as an Annex-B file and decodes it with ffmpeg,
// failing on any error it reports; it returns the file's path.
func ffmpegDecode(t *testing.T, aus []au, ext string) string {
	t.Helper()
	var b bytes.Buffer
	for _, a := range aus {
		for _, n := range a.nalus {
			b.Write([]byte{0, 0, 0, 1})
			b.Write(n)
		}
	}
	path := filepath.Join(t.TempDir(), "stream."+ext)
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-f", "null", "-").CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("ffmpeg decoding %d access units: %v\n%s", len(aus), err, out)
	}
	return path
}

// ffprobeSize returns "WIDTHxHEIGHT" of the video in path.
func ffprobeSize(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0",
		"-show_entries", "stream=width,height", "-of", "csv=s=x:p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe: %v", err)
	}
	return strings.TrimSpace(string(out))
}
