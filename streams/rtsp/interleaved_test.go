package rtsp

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/conn"
	"github.com/pion/rtcp"
)

// chunkConn is a connection whose reads return data chunk bytes at a
// time, then io.EOF: a camera's bytes as the socket may cut them.
type chunkConn struct {
	net.Conn
	data  []byte
	chunk int
}

func (c *chunkConn) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.chunk)], c.data)
	c.data = c.data[n:]
	return n, nil
}

// farFuture as the last heartbeat's time keeps heartbeats out of a test.
var farFuture = time.Now().Add(100 * 365 * 24 * time.Hour)

// readAll returns what gortsplib's reader makes of stream: its messages
// (responses, requests, frames), each printed, until its first error.
func readAll(stream []byte) []string {
	rc := conn.NewConn(struct {
		io.Reader
		io.Writer
	}{bytes.NewReader(stream), io.Discard})
	var out []string
	for {
		what, err := rc.Read()
		if err != nil {
			return out
		}
		switch m := what.(type) {
		case *base.InterleavedFrame:
			out = append(out, frameString(m.Channel, m.Payload))
		default:
			out = append(out, fmt.Sprintf("%T %v", m, m))
		}
	}
}

// split feeds stream through a batchedConn, chunk bytes per socket read,
// whose frames of channel are taken out; it returns what gortsplib reads
// from it and the payloads taken out.
func split(stream []byte, chunk, channel int) (passed []byte, taken [][]byte) {
	c := newBatchedConn(&chunkConn{data: stream, chunk: chunk}, nil, nil, playingFlag(false))
	c.divert(channel, func(f []byte) { taken = append(taken, bytes.Clone(f)) })
	c.lastBeat = farFuture // no heartbeats in these tests
	passed, _ = io.ReadAll(c)
	return passed, taken
}

// checkSplit checks that gortsplib reads the same messages from what the
// splitter passes as from the whole stream, less the frames taken out,
// and that those are the frames of the channel, in order.
func checkSplit(t *testing.T, stream []byte, chunk, channel int) {
	t.Helper()
	passed, taken := split(stream, chunk, channel)
	want := readAll(stream)
	got := readAll(passed)
	prefix := fmt.Sprintf("frame %d ", channel)
	var wantTaken []string
	var wantPassed []string
	for _, m := range want {
		if len(m) >= len(prefix) && m[:len(prefix)] == prefix {
			wantTaken = append(wantTaken, m)
		} else {
			wantPassed = append(wantPassed, m)
		}
	}
	var gotTaken []string
	for _, f := range taken {
		gotTaken = append(gotTaken, frameString(channel, f))
	}
	// gortsplib stops at the stream's first error; what follows it in
	// either list is not compared.
	if len(gotTaken) < len(wantTaken) || !equalPrefix(gotTaken, wantTaken) {
		t.Fatalf("chunk %d: taken out %q\nwant %q", chunk, gotTaken, wantTaken)
	}
	if len(got) < len(wantPassed) || !equalPrefix(got, wantPassed) {
		t.Fatalf("chunk %d: gortsplib read %q\nwant %q", chunk, got, wantPassed)
	}
}

// frameString names a frame briefly: channel, length and checksum.
func frameString(channel int, payload []byte) string {
	return fmt.Sprintf("frame %d %d %08x", channel, len(payload), crc32.ChecksumIEEE(payload))
}

func equalPrefix(got, want []string) bool {
	for i := range want {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// sessionStream is what a camera sends over a played TCP session: video
// on channel 0, its RTCP on 1, audio on 2, and RTSP messages between.
func sessionStream() []byte {
	var b bytes.Buffer
	b.WriteString("RTSP/1.0 200 OK\r\nCSeq: 4\r\nSession: 12345678\r\n\r\n")
	for i := range 5 {
		b.Write(frame(0, 1400+i))
		b.Write(frame(2, 200))
	}
	b.WriteString("RTSP/1.0 200 OK\r\ncontent-length: 11\r\nCSeq: 5\r\n\r\n$0$0$0$0$0$")
	b.Write(frame(0, 60))
	b.Write(frame(1, 32))
	b.WriteString("GET_PARAMETER rtsp://cam/ RTSP/1.0\r\nCSeq: 1\r\nContent-Length:  4\r\n\r\nRT$x")
	b.WriteString("\x00\x01garbageR") // skipped by gortsplib byte by byte
	b.Write(frame(0, 4))              // an empty payload
	b.Write(frame(0, 65535+frameHeader))
	b.WriteString("RTSP/1.0 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n") // two lengths: no body
	b.Write(frame(0, 100))
	return b.Bytes()
}

func TestSplitterPassesWhatGortsplibReads(t *testing.T) {
	t.Parallel()
	stream := sessionStream()
	for _, chunk := range []int{1, 2, 3, 7, 100, 1500, 70000, len(stream)} {
		checkSplit(t, stream, chunk, 0)
	}
	// A channel of no frame: everything passes, unchanged.
	if passed, taken := split(stream, 1000, 9); !bytes.Equal(passed, stream) || len(taken) != 0 {
		t.Fatalf("passed %d of %d bytes, took %d frames out", len(passed), len(stream), len(taken))
	}
}

func TestSplitterGivesUpOnMessagesGortsplibRefuses(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		"RTSP/1.0 200 OK\r\nContent-Length: x\r\n\r\n",
		"RTSP/1.0 200 OK\r\nContent-Length: 999999\r\n\r\n",
		"RTSP/1.0 200 OK\r\nX: " + string(bytes.Repeat([]byte("a"), maxMessage)) + "\r\n\r\n",
	} {
		stream := append(frame(0, 50), bad...)
		stream = append(stream, frame(0, 50)...)
		passed, taken := split(stream, 4096, 0)
		if len(taken) != 1 || !bytes.Equal(passed, stream[50:]) {
			t.Fatalf("%.40q: took %d frames, passed %d of %d bytes: want the first frame taken, the rest passed",
				bad, len(taken), len(passed), len(stream)-50)
		}
	}
}

func TestHeartbeatFeedsGortsplibsWatchdog(t *testing.T) {
	client, camera := tcpPair(t)
	c := newBatchedConn(client, nil, nil, playingFlag(true))
	var taken int
	c.divert(4, func([]byte) { taken++ })
	go func() {
		for range 3 {
			camera.Write(frame(4, 500))
		}
	}()
	// Only video came: gortsplib reads a heartbeat on the video's RTCP
	// channel and nothing else.
	rc := conn.NewConn(c)
	what, err := rc.Read()
	if err != nil {
		t.Fatal(err)
	}
	f, ok := what.(*base.InterleavedFrame)
	if !ok || f.Channel != 5 {
		t.Fatalf("read %v, want a frame on channel 5", what)
	}
	pkts, err := rtcp.Unmarshal(f.Payload)
	if err != nil || len(pkts) != 1 {
		t.Fatalf("heartbeat %x: %v", f.Payload, err)
	}
	if rr, ok := pkts[0].(*rtcp.ReceiverReport); !ok || len(rr.Reports) != 0 {
		t.Fatalf("heartbeat %v, want an empty receiver report", pkts[0])
	}
	if taken == 0 {
		t.Fatal("heartbeat before any frame was taken out")
	}
}

func FuzzSplitter(f *testing.F) {
	f.Add(sessionStream()[:4000], uint16(7), byte(0))
	f.Add([]byte("RTSP/1.0 200 OK\r\n\r\n$\x00\x00\x01x"), uint16(1), byte(0))
	f.Fuzz(func(t *testing.T, stream []byte, chunk uint16, channel byte) {
		if len(stream) > 4000 {
			// A message dripped a byte a time is parsed again for each
			// (maxMessage): longer ones only make the fuzzer slow.
			stream = stream[:4000]
		}
		checkSplit(t, stream, int(chunk)%2000+1, int(channel))
	})
}
