package gateway

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"

	"vigil/gateway/config"
	"vigil/streams/onvif"
	"vigil/streams/rtsp"
)

func TestDeviceErrorReasons(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want error
	}{
		{&onvif.Fault{Op: "GetProfiles", Code: "env:Sender", Subcode: "ter:NotAuthorized"}, rtsp.ErrUnauthorized},
		{fmt.Errorf("onvif: GetProfiles: %w", context.DeadlineExceeded), rtsp.ErrTimeout},
		{fmt.Errorf("onvif: GetProfiles: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), rtsp.ErrUnreachable},
	} {
		if got := deviceError(tc.err); !errors.Is(got, tc.want) || !strings.Contains(got.Error(), "ONVIF device") {
			t.Errorf("%v: %v, want %v", tc.err, got, tc.want)
		}
	}
	other := deviceError(onvif.ErrReplyTooLarge)
	if errors.Is(other, rtsp.ErrUnauthorized) || errors.Is(other, rtsp.ErrTimeout) || !errors.Is(other, onvif.ErrReplyTooLarge) {
		t.Errorf("a too large reply: %v", other)
	}
}

func TestStreamURIGetsTheCredentials(t *testing.T) {
	o := &onvifCameras{cams: map[string]*onvifCamera{
		"c": {cfg: config.ONVIF{Host: "h", Username: "admin", Password: "p@ss:w/rd"}},
		"n": {cfg: config.ONVIF{Host: "h"}},
	}}
	got, err := o.withCredentials("c", "rtsp://10.0.0.5:554/Streaming/Channels/101?transportmode=unicast")
	if err != nil || got != "rtsp://admin:p%40ss%3Aw%2Frd@10.0.0.5:554/Streaming/Channels/101?transportmode=unicast" {
		t.Fatalf("%q %v", got, err)
	}
	if got, _ := o.withCredentials("n", "rtsp://10.0.0.5/live"); got != "rtsp://10.0.0.5/live" {
		t.Fatalf("without credentials: %q", got)
	}
	if _, err := o.withCredentials("c", "http://10.0.0.5/snapshot.jpg"); err == nil {
		t.Fatal("an HTTP URI taken as a stream")
	}
}
