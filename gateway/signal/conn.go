package signal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"vigil/gateway/auth"
	"vigil/gateway/store"
	"vigil/internal/ratelimit"
	"vigil/streams/webrtc"
)

// Connection limits (PROTOCOL.md "Limits and closing").
const (
	sendQueue    = 1024 // outgoing messages a console may lag behind
	maxErrors    = 20   // bad messages before the connection is dropped
	msgRate      = 50   // messages per second, sustained
	msgBurst     = 100  // ... and in a burst (an offer, 25 assigns, candidates)
	writeWait    = 5 * time.Second
	pongWait     = 45 * time.Second
	pingPeriod   = 20 * time.Second
	closeWait    = time.Second
	recheckLimit = 5 * time.Second
)

// Close codes beyond RFC 6455's.
const (
	CloseSessionEnded = 4001 // session expired or revoked: log in again
	CloseReconnect    = 4002 // this gateway is draining: reconnect (a load balancer picks another node)
	CloseTooMany      = 4008 // too many messages or errors
	CloseTooSlow      = 4009 // the console did not read its messages
)

// conn is one console connection. Three goroutines serve it: the read
// pump (the caller of Serve), the write pump and the loop, which owns the
// peer connection, the tiles and the followed wall. All three end when ctx
// is cancelled, which every failure path does through fail.
type conn struct {
	s      *Server
	ws     *websocket.Conn
	token  string
	remote string
	log    *slog.Logger

	ctx       context.Context
	cancel    context.CancelFunc
	closeOnce sync.Once
	closeCode int
	closeText string
	// farewell is written just before the close frame (the reconnect
	// message of a drain); set once, under closeOnce.
	farewell []byte

	out           chan []byte        // to the write pump
	in            chan ClientMessage // to the loop
	sessionClosed chan struct{}      // a peer connection ended by itself
	recheckNow    chan struct{}      // re-validate the session now (a revocation somewhere)
	errs          atomic.Int32
	bucket        ratelimit.Bucket

	// Shared with feed and health callbacks.
	mu    sync.Mutex
	user  auth.User
	shown [Tiles]tileView // what each tile reports
	// audioTile is the tile whose sound the console hears, noAudio for
	// none (owned by the loop); heard is what the audio feed reports.
	audioTile int
	heard     AudioMsg

	// Owned by the loop.
	session  *webrtc.Session
	tiles    [Tiles]assignment
	wall     string
	wallCh   <-chan store.Wall
	unfollow func()
	// Playback (playback.go): each tile's player, the linked tiles, and
	// the tiles whose player has news.
	plays       [Tiles]*tilePlay
	linked      []int
	playChanged chan int

	// PTZ commands wait here for the PTZ worker (ptz.go); ptzSession names
	// this connection to the PTZ control.
	ptzJobs    chan ptzJob
	ptzSession string
	// tours run on tiles (by tile) or the grid (gridTour); tourTimer
	// fires when the next step is due (conntours.go).
	tours     map[int]*tourRun
	tourTimer *time.Timer
}

func newConn(s *Server, ws *websocket.Conn, u auth.User, token string) *conn {
	ctx, cancel := context.WithCancel(s.ctx)
	c := &conn{
		s: s, ws: ws, token: token, remote: ws.RemoteAddr().String(), user: u,
		log: s.log.With("user", u.Name, "remote", ws.RemoteAddr().String()),
		ctx: ctx, cancel: cancel,
		out:           make(chan []byte, sendQueue),
		in:            make(chan ClientMessage, 16),
		sessionClosed: make(chan struct{}, 1),
		recheckNow:    make(chan struct{}, 1),
		playChanged:   make(chan int, Tiles),
		bucket:        ratelimit.Bucket{Rate: msgRate, Burst: msgBurst},
		audioTile:     noAudio,
		ptzJobs:       make(chan ptzJob, ptzQueue),
		tours:         make(map[int]*tourRun),
		tourTimer:     time.NewTimer(time.Hour),
	}
	c.tourTimer.Stop()
	c.ptzSession = fmt.Sprintf("console-%p", c)
	return c
}

// run serves the connection and returns when every goroutine has ended
// and every camera is released.
func (c *conn) run() {
	c.log.Info("console connected")
	unsubscribe := c.s.opts.Health.Subscribe(c.onHealth)
	for _, h := range c.s.opts.Health.Snapshot() {
		c.onHealth(h)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		c.writePump()
	}()
	go func() {
		defer wg.Done()
		c.loop()
	}()
	if c.s.opts.PTZ != nil {
		wg.Go(c.ptzWorker)
	}
	c.readPump()
	c.fail(websocket.CloseNormalClosure, "")
	wg.Wait()
	c.ws.Close()
	unsubscribe()
	c.log.Info("console disconnected", "code", c.closeCode, "reason", c.closeText)
}

// fail ends the connection with a close code; the first call wins. It
// never blocks, so feed and health callbacks may call it.
func (c *conn) fail(code int, text string) {
	c.closeOnce.Do(func() {
		c.closeCode, c.closeText = code, text
		c.cancel()
	})
}

// failWith ends the connection like fail, writing farewell first: a
// console that misses the close code still hears why it was closed.
func (c *conn) failWith(code int, text string, farewell []byte) {
	c.closeOnce.Do(func() {
		c.closeCode, c.closeText, c.farewell = code, text, farewell
		c.cancel()
	})
}

// closeStatus is the code to send: the failure's, or "going away" when the
// server itself is closing.
func (c *conn) closeStatus() (int, string) {
	c.fail(websocket.CloseGoingAway, "gateway shutting down")
	return c.closeCode, c.closeText
}

// readPump reads the console's messages. No message larger than an offer
// is ever buffered: beyond MaxOfferMessage the connection closes with
// 1009 whatever the type (DecodeClientMessage answers smaller oversized
// messages with an error), since ignoring it would mean reading it whole.
func (c *conn) readPump() {
	c.ws.SetReadLimit(MaxOfferMessage)
	_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
	c.ws.SetPongHandler(func(string) error {
		if c.ctx.Err() != nil {
			return nil // closing: keep the drain deadline
		}
		return c.ws.SetReadDeadline(time.Now().Add(pongWait))
	})
	for {
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				c.fail(websocket.CloseMessageTooBig, "message too large")
			}
			return
		}
		if c.ctx.Err() != nil {
			continue // closing: drain until the console's close reply
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
		if !c.bucket.Take(time.Now()) {
			c.fail(CloseTooMany, "too many messages")
			continue
		}
		if typ != websocket.TextMessage {
			c.reject("only JSON text messages are accepted")
			continue
		}
		m, err := DecodeClientMessage(data)
		if err != nil {
			c.reject(err.Error())
			continue
		}
		select {
		case c.in <- m:
		case <-c.ctx.Done():
		}
	}
}

func (c *conn) writePump() {
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	for {
		select {
		case <-c.ctx.Done():
			code, text := c.closeStatus()
			if c.farewell != nil {
				_ = c.ws.SetWriteDeadline(time.Now().Add(closeWait))
				_ = c.ws.WriteMessage(websocket.TextMessage, c.farewell)
			}
			_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(closeWait))
			// The read pump drains what the console already sent and sees
			// its close reply before run closes the socket: closing with
			// unread data makes the kernel reset the connection, and the
			// console would never learn why it was closed.
			_ = c.ws.SetReadDeadline(time.Now().Add(closeWait))
			return
		case b := <-c.out:
			_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
				c.fail(websocket.CloseAbnormalClosure, "write failed")
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				c.fail(websocket.CloseAbnormalClosure, "ping failed")
			}
		}
	}
}

// send queues a message for the console. A console whose queue is full is
// not keeping up: it is dropped rather than allowed to hold memory or
// block a feed.
func (c *conn) send(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		c.log.Error("encode console message", "err", err)
		return
	}
	if c.ctx.Err() != nil {
		return
	}
	select {
	case c.out <- b:
	default:
		c.fail(CloseTooSlow, "console too slow")
	}
}

// reject answers a message that could not be used; too many of them end
// the connection.
func (c *conn) reject(msg string) {
	c.send(errorMsg{Type: "error", Message: msg})
	if c.errs.Add(1) > maxErrors {
		c.fail(CloseTooMany, "too many bad messages")
	}
}

func (c *conn) currentUser() auth.User {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.user
}

// onHealth forwards a camera's health, only when the user may see it.
// A playing tile of the camera hears when its sound comes or goes, so the
// console shows or hides the speaker without waiting for a video change.
func (c *conn) onHealth(h CameraHealth) {
	if !c.currentUser().CanSeeStation(h.Station) {
		return
	}
	c.send(h.msg())
	var tiles []TileMsg
	c.mu.Lock()
	for i := range c.shown {
		t := &c.shown[i]
		if t.attached && t.camera == h.ID && t.last.State == "playing" && t.last.Audio != h.Audio {
			t.last.Audio = h.Audio
			tiles = append(tiles, t.last)
		}
	}
	c.mu.Unlock()
	for _, m := range tiles {
		c.send(m)
	}
}
