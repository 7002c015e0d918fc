package relay

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/media"
)

// A reader that stops reading loses units, then is dropped: meanwhile the
// camera goes on and the other reader gets every frame the camera sent.
// The stall (4 s) outlasts the hub's queue of 150 frames (3 s at 50 fps),
// so a stall that spread to the other reader would show as a gap. Each
// reader's queue holds 1024 packets, about three of this camera's
// 345 kB keyframes.
func TestRelaySlowReaderIsDroppedAlone(t *testing.T) {
	r := newRig(t, rigOptions{fps: 50, gop: 5, width: 640, height: 360, writeTimeout: 4 * time.Second, writeQueue: 1024})
	waitStatus(t, r.owner, hub.StateOnline, "")
	hubs, release := r.pull(t, testCamera)
	defer release()
	readAFrame(t, hubs.Video)

	playStalled(t, r.relay.Addr(), testCamera)
	waitFor(t, "two readers", func() bool { return r.relay.Readers() == 2 })
	local := hubs.Video.NewReader()
	defer local.Close()
	var pending []*media.AccessUnit
	prev := next(t, local, &pending)
	// Check every frame until the stalled reader is gone and a hub
	// queue's worth after it, when a held-up reader would show its gap.
	deadline := time.Now().Add(testwait.Cap) // a bound for what never comes
	for after := 0; after < 200; {
		if r.relay.Readers() < 2 {
			after++
		} else if time.Now().After(deadline) {
			t.Fatal("the stalled reader was never dropped")
		}
		au := next(t, local, &pending)
		if frameOf(au) != frameOf(prev)+1 && !r.frameSkipped(frameOf(prev), frameOf(au)) {
			t.Fatalf("fast reader got frame %d after %d (its skips %d, owner hub %+v, its hub %+v)", frameOf(au), frameOf(prev),
				local.Skips(), r.owner.Stats().Counters, hubs.Video.Stats().Counters)
		}
		prev = au
	}
	if !strings.Contains(r.logs.String(), "reader fell behind") {
		t.Error("the stalled reader's lost units were not logged")
	}
}

// frameSkipped reports whether the camera itself sent no frame between
// from and to (a late tick on a loaded machine skips numbers).
func (r *rig) frameSkipped(from, to int64) bool {
	for n := from + 1; n < to; n++ {
		if _, ok := r.sentAt(n); ok {
			return false
		}
	}
	return true
}

// playStalled plays path like an RTSP client whose application stopped
// reading: after PLAY, nothing is read any more, and the socket's
// receive buffer is small, so the relay's writes to it block at once.
func playStalled(t *testing.T, addr, path string) {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	url := "rtsp://" + addr + "/" + path
	auth := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(testUser+":"+testSecret)) + "\r\n"
	request := func(cseq int, method, target, headers string) textproto.MIMEHeader {
		fmt.Fprintf(conn, "%s %s RTSP/1.0\r\nCSeq: %d\r\n%s%s\r\n", method, target, cseq, auth, headers)
		status, err := br.ReadString('\n')
		if err != nil || !strings.HasPrefix(status, "RTSP/1.0 200") {
			t.Fatalf("%s: %q %v", method, status, err)
		}
		h, err := textproto.NewReader(br).ReadMIMEHeader()
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		n, _ := strconv.Atoi(h.Get("Content-Length"))
		if _, err := io.CopyN(io.Discard, br, int64(n)); err != nil {
			t.Fatalf("%s body: %v", method, err)
		}
		return h
	}
	request(1, "DESCRIBE", url, "")
	h := request(2, "SETUP", url+"/trackID=0", "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n")
	session, _, _ := strings.Cut(h.Get("Session"), ";")
	request(3, "PLAY", url, "Session: "+session+"\r\n")
}
