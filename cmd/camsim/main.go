// Command camsim serves simulated cameras over RTSP: for tests, benchmarks
// and trying other gateways.
//
//	camsim -listen 127.0.0.1:8554 -cameras 4 [-gop 50] [-user u -pass p]
//	       [-codec h264|h265] [-bframes N] [-bitrate BPS] [-audio none|aac|pcma|pcmu|opus]
//	       [-onvif 127.0.0.1:8000 [-ptz cam0,cam1] [-discovery]]
//	       [-fault cam0=freeze ...] [-control 127.0.0.1:8555]
//
// Faults on cue (see sim.Fault): -fault sets one at start; -control
// serves POST /cameras/{name}/fault?fault=freeze|black|stall|unauthorized|thin|none
// and POST /cameras/{name}/drop (close the camera's sessions).
//
// Main streams are at rtsp://ADDR/cam0 ... and half-size sub streams at
// rtsp://ADDR/cam0/sub ... H.265, B-frames, AAC and Opus need ffmpeg.
// With -onvif HOST:PORT each camera is also an ONVIF device on its own
// port (PORT, PORT+1, ...; device service at /onvif/device_service,
// digest auth with -user/-pass); -ptz names the domes, whose pictures pan
// as they move (GET /sim/ptz on the dome's port tells where), and
// -discovery answers WS-Discovery.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"vigil/streams/media"
	"vigil/streams/sim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "camsim:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("camsim", flag.ContinueOnError)
	o := sim.ServerOptions{}
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:8554", "RTSP listen address")
	fs.IntVar(&o.Cameras, "cameras", 4, "number of cameras (paths /cam0, /cam1, ...)")
	fs.IntVar(&o.GOP, "gop", 50, "frames from one IDR to the next")
	fs.IntVar(&o.FPS, "fps", 25, "frames per second")
	fs.IntVar(&o.Width, "width", 640, "main stream width (sub stream: half)")
	fs.IntVar(&o.Height, "height", 360, "main stream height (sub stream: half)")
	fs.StringVar(&o.Username, "user", "", "demand this user name (Basic or Digest)")
	fs.StringVar(&o.Password, "pass", "", "password for -user")
	codec := fs.String("codec", "h264", "video codec: h264 or h265 (h265 needs ffmpeg)")
	bframes := fs.Int("bframes", 0, "H.264 B-frames between reference pictures (needs ffmpeg)")
	bitrate := fs.Int("bitrate", 0, "bit/s of main video, coded by ffmpeg when set (0: about 1 Mbit/s at 640x360)")
	audio := fs.String("audio", "none", "main stream audio: none, aac, pcma, pcmu or opus (aac and opus need ffmpeg)")
	var faults listFlag
	fs.Var(&faults, "fault", "CAMERA=FAULT at start (freeze, black, stall, unauthorized, thin); repeatable")
	control := fs.String("control", "", "serve the fault control endpoint on this address (HTTP)")
	onvifAddr := fs.String("onvif", "", "serve ONVIF devices from this HTTP address on, one port per camera (\"\": off)")
	ptz := fs.String("ptz", "", "comma-separated cameras that are PTZ domes (with -onvif)")
	discovery := fs.Bool("discovery", false, "answer WS-Discovery probes (with -onvif)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	cam, err := cameraFlags(*codec, *audio, *bframes, *bitrate)
	if err != nil {
		return err
	}
	o.Configure = func(_ string, c *sim.CameraOptions) {
		c.Codec, c.Encoder, c.Audio, c.BFrames, c.Bitrate = cam.Codec, cam.Encoder, cam.Audio, cam.BFrames, cam.Bitrate
	}
	if o.Cameras < 1 {
		return fmt.Errorf("-cameras must be at least 1")
	}
	if (o.Username == "") != (o.Password == "") {
		return fmt.Errorf("-user and -pass go together")
	}

	if o.PTZ, err = domes(*ptz, *onvifAddr, *discovery); err != nil {
		return err
	}
	srv, err := sim.NewServer(o)
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := startFaults(srv, faults); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "camsim: %d cameras on %s (%s%s)\n", o.Cameras, srv.Addr(), cam.Codec, describeAudio(cam.Audio))
	if *control != "" {
		addr, stop, err := serveControl(*control, srv)
		if err != nil {
			return err
		}
		defer stop()
		fmt.Fprintf(stdout, "control: http://%s/cameras/{name}/fault\n", addr)
	}
	for _, c := range srv.Cameras() {
		fmt.Fprintf(stdout, "%s  %s\n", srv.URL(c), srv.SubURL(c))
	}
	if *onvifAddr != "" {
		dev, err := startONVIF(srv, *onvifAddr, *discovery, o.PTZ, stdout)
		if err != nil {
			return err
		}
		defer dev.Close()
	}
	<-ctx.Done()
	return nil
}

// domes checks the ONVIF flags and lists the domes.
func domes(ptz, onvifAddr string, discovery bool) ([]string, error) {
	if onvifAddr == "" && (ptz != "" || discovery) {
		return nil, fmt.Errorf("-ptz and -discovery need -onvif")
	}
	if ptz == "" {
		return nil, nil
	}
	return strings.Split(ptz, ","), nil
}

// startONVIF serves the ONVIF devices and prints their addresses.
func startONVIF(srv *sim.Server, addr string, discovery bool, ptz []string, stdout io.Writer) (*sim.ONVIF, error) {
	for _, name := range ptz {
		if srv.PTZ(name) == nil {
			return nil, fmt.Errorf("-ptz %q: no such camera", name)
		}
	}
	dev, err := srv.StartONVIF(sim.ONVIFOptions{Listen: addr, Announce: discovery})
	if err != nil {
		return nil, err
	}
	for _, c := range srv.Cameras() {
		fmt.Fprintf(stdout, "onvif %s\n", dev.DeviceURL(c))
	}
	return dev, nil
}

// Flag spellings of codecs.
var (
	videoCodecs = map[string]media.Codec{"h264": media.CodecH264, "h265": media.CodecH265}
	audioCodecs = map[string]media.Codec{
		"none": "", "aac": media.CodecAAC, "pcma": media.CodecPCMA, "pcmu": media.CodecPCMU, "opus": media.CodecOpus,
	}
)

// cameraFlags checks the coding flags; the cameras check the rest.
func cameraFlags(codec, audio string, bframes, bitrate int) (sim.CameraOptions, error) {
	var o sim.CameraOptions
	var ok bool
	if o.Codec, ok = videoCodecs[strings.ToLower(codec)]; !ok {
		return o, fmt.Errorf("-codec %q: want h264 or h265", codec)
	}
	if o.Audio, ok = audioCodecs[strings.ToLower(audio)]; !ok {
		return o, fmt.Errorf("-audio %q: want none, aac, pcma, pcmu or opus", audio)
	}
	if bframes < 0 || bitrate < 0 {
		return o, fmt.Errorf("-bframes and -bitrate must not be negative")
	}
	if bframes > 0 && o.Codec != media.CodecH264 {
		return o, fmt.Errorf("-bframes is for -codec h264 only")
	}
	o.BFrames, o.Bitrate = bframes, bitrate
	if bitrate > 0 {
		// The builtin encoder is lossless and has no rate to set.
		o.Encoder = sim.EncoderFFmpeg
	}
	return o, nil
}

func describeAudio(c media.Codec) string {
	if c == "" {
		return ""
	}
	return " + " + string(c)
}
