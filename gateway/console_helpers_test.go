package gateway_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"vigil/gateway"
	"vigil/gateway/auth"
	"vigil/gateway/store"
	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/webrtc/webrtctest"
)

// consoleClient is a console's WebSocket: a gorilla client whose messages
// are read by one goroutine into a channel.
type consoleClient struct {
	ws   *websocket.Conn
	msgs chan map[string]any
	done chan struct{}
	// closeCode is the close code the server sent, once done is closed.
	closeCode int
}

func wsURL(base string) string { return "ws" + strings.TrimPrefix(base, "http") + "/api/ws" }

// dialConsole opens /api/ws with a bearer token and the given Origin
// ("" sends none).
func dialConsole(t *testing.T, base, token, origin string) *consoleClient {
	t.Helper()
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	if origin != "" {
		h.Set("Origin", origin)
	}
	ws, resp, err := websocket.DefaultDialer.Dial(wsURL(base), h)
	if err != nil {
		status := ""
		if resp != nil {
			status = resp.Status
		}
		t.Fatalf("dial console: %v %s", err, status)
	}
	c := &consoleClient{ws: ws, msgs: make(chan map[string]any, 4096), done: make(chan struct{})}
	go c.read()
	t.Cleanup(func() {
		ws.Close()
		<-c.done
	})
	return c
}

func (c *consoleClient) read() {
	defer close(c.done)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				c.closeCode = ce.Code
			}
			return
		}
		var m map[string]any
		if json.Unmarshal(data, &m) == nil {
			select {
			case c.msgs <- m:
			default: // the test stopped reading
			}
		}
	}
}

func (c *consoleClient) send(t *testing.T, v any) {
	t.Helper()
	if err := c.ws.WriteJSON(v); err != nil {
		t.Fatalf("send %v: %v", v, err)
	}
}

// waitFor returns the first message for which match is true, skipping
// others. It waits up to testwait's cap, so that a busy machine is slow
// rather than failing.
func (c *consoleClient) waitFor(t *testing.T, what string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.After(testwait.Cap)
	for {
		select {
		case m := <-c.msgs:
			if match(m) {
				return m
			}
		case <-c.done:
			if m, ok := c.queued(match); ok {
				return m
			}
			t.Fatalf("waiting for %s: connection closed (code %d)", what, c.closeCode)
		case <-deadline:
			t.Fatalf("no %s within %v", what, testwait.Cap)
		}
	}
}

// queued looks for a match among the messages read before the connection
// closed: read queues them all before it closes done, but a select that
// finds both ready picks either, so a farewell sent just before the close
// (the drain's reconnect) was reported missing about half the time.
func (c *consoleClient) queued(match func(map[string]any) bool) (map[string]any, bool) {
	for {
		select {
		case m := <-c.msgs:
			if match(m) {
				return m, true
			}
		default:
			return nil, false
		}
	}
}

func isType(typ string) func(map[string]any) bool {
	return func(m map[string]any) bool { return m["type"] == typ }
}

func isTile(tile int, state string) func(map[string]any) bool {
	return func(m map[string]any) bool {
		return m["type"] == "tile" && m["tile"] == float64(tile) && m["state"] == state
	}
}

// negotiate opens a 25-tile pion receiver on the console's WebSocket.
func (c *consoleClient) negotiate(t *testing.T) *webrtctest.Receiver {
	t.Helper()
	rx, offer, err := webrtctest.NewReceiver(25)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rx.Close)
	c.send(t, map[string]any{"type": "offer", "sdp": offer})
	ans := c.waitFor(t, "answer", isType("answer"))
	if err := rx.Accept(ans["sdp"].(string)); err != nil {
		t.Fatal(err)
	}
	return rx
}

// stationsConfig is a config of stations, each with cameras pulled from
// paths cam0, cam1, ... of the simulated camera server at rtsp. They are
// not recorded: a recorder would be one more hub reader.
func stationsConfig(rtsp string, stations map[string][]string) string {
	var b strings.Builder
	b.WriteString("stations:\n")
	n := 0
	for _, st := range []string{"bjx", "bj", "bjn", "bjb", "qh"} {
		cams, ok := stations[st]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "  - id: %s\n    name: %s\n    cameras:\n", st, st)
		for _, id := range cams {
			fmt.Fprintf(&b, "      - id: %s\n        name: %s\n        url: %s/cam%d\n        sub_url: %s/cam%d/sub\n        transport: tcp\n        record: false\n",
				id, id, rtsp, n, rtsp, n)
			n++
		}
	}
	return b.String()
}

// addUser creates a user directly in the store and logs in as them.
func addUser(t *testing.T, g *gateway.Gateway, name string, role auth.Role, stations ...string) string {
	t.Helper()
	const pw = "test-user-password-1"
	hash, err := auth.HashPasswordWith(auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, pw)
	if err != nil {
		t.Fatal(err)
	}
	err = g.Store().CreateUser(context.Background(), store.User{Username: name, PasswordHash: hash, Role: string(role), Stations: stations})
	if err != nil {
		t.Fatal(err)
	}
	return login(t, g.URL(), name, pw)
}

// sessionID is the store's key of a session token.
func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// waitOnline waits until every hub has a keyframe cached.
func waitOnline(t *testing.T, hubs ...*hub.Hub) {
	t.Helper()
	for _, h := range hubs {
		testwait.For(t, "hub "+h.ID()+" online with a keyframe", func() bool {
			return h.Status().State == hub.StateOnline && h.Stats().Keyframes > 0
		})
	}
}

// tap records which camera published each picture: the hash of its slice
// data, which differs between cameras (each draws its own id and colour).
type tap struct {
	mu     sync.Mutex
	owners map[[32]byte]map[string]bool
	rs     []*hub.Reader
	stop   []func()
	wg     sync.WaitGroup
}

func newTap(t *testing.T, hubs map[string]*hub.Hub) *tap {
	tp := &tap{owners: make(map[[32]byte]map[string]bool)}
	for cam, h := range hubs {
		r := h.NewReader()
		tp.rs = append(tp.rs, r)
		ctx, cancel := context.WithCancel(context.Background())
		tp.stop = append(tp.stop, cancel)
		tp.wg.Add(1)
		go func() {
			defer tp.wg.Done()
			defer r.Close()
			for {
				d, err := r.Read(ctx)
				if err != nil {
					return
				}
				for _, au := range d.Units {
					tp.add(sliceHash(au.NALUs), cam)
				}
			}
		}()
	}
	t.Cleanup(tp.close)
	return tp
}

func (tp *tap) add(h [32]byte, cam string) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if tp.owners[h] == nil {
		tp.owners[h] = map[string]bool{}
	}
	tp.owners[h][cam] = true
}

// waitKnown waits until the taps have recorded every whole frame in
// frames: they read the hubs beside the gateway and may lag behind it. A
// frame that never becomes known is left for the caller to report.
func (tp *tap) waitKnown(t testing.TB, frames []webrtctest.Frame) {
	next := 0
	testwait.Until(t, func() bool {
		for ; next < len(frames); next++ {
			if f := frames[next]; !f.Gap && len(tp.owner(sliceHash(f.NALUs))) == 0 && tp.skipped() == 0 {
				return false
			}
		}
		return true
	})
}

// skipped returns how often the taps fell behind their hubs and skipped
// pictures, which they then cannot attribute: the test's own loss.
func (tp *tap) skipped() uint64 {
	var n uint64
	for _, r := range tp.rs {
		n += r.Skips()
	}
	return n
}

// owner returns the cameras that published a picture.
func (tp *tap) owner(h [32]byte) map[string]bool {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return tp.owners[h]
}

// close stops the taps and releases their hub readers.
func (tp *tap) close() {
	for _, stop := range tp.stop {
		stop()
	}
	tp.wg.Wait()
	tp.stop = nil
}

// sliceHash hashes a picture's slice NAL units (types 1 and 5), leaving
// out parameter sets, which are alike for cameras of one size.
func sliceHash(nalus [][]byte) [32]byte {
	h := sha256.New()
	for _, n := range nalus {
		if t := n[0] & 0x1f; t == 1 || t == 5 {
			h.Write(bytes.TrimRight(n, "\x00"))
		}
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// stringsOf prints a JSON list of strings like fmt prints a []string.
func stringsOf(v any) string {
	list, _ := v.([]any)
	out := make([]string, len(list))
	for i, x := range list {
		out[i], _ = x.(string)
	}
	return fmt.Sprint(out)
}

func decode(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decode %s: %v", resp.Request.URL, err)
	}
}

// waitPlaying waits until each of tiles has reported playing, in any
// order, and returns those messages by tile.
func (c *consoleClient) waitPlaying(t *testing.T, tiles ...int) map[int]map[string]any {
	t.Helper()
	want := map[int]bool{}
	for _, tile := range tiles {
		want[tile] = true
	}
	got := map[int]map[string]any{}
	for len(got) < len(want) {
		m := c.waitFor(t, fmt.Sprintf("tiles %v playing (have %d)", tiles, len(got)), isType("tile"))
		if tile := int(m["tile"].(float64)); want[tile] && m["state"] == "playing" {
			got[tile] = m
		}
	}
	return got
}
