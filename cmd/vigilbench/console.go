package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"vigil/streams/webrtc/webrtctest"
)

// console is a dispatch console: the WebSocket and one peer connection
// with 25 tiles, as the browser console opens them.
type console struct {
	ws   *websocket.Conn
	rx   *webrtctest.Receiver
	msgs chan map[string]any
	done chan struct{}
	// answerCount counts answers: more than one means the gateway
	// renegotiated.
	answerCount atomic.Int32
}

// openConsole connects, offers 25 recvonly tiles and applies the answer.
func openConsole(ctx context.Context, base, token string) (*console, error) {
	h := http.Header{"Authorization": {"Bearer " + token}}
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, "ws"+strings.TrimPrefix(base, "http")+"/api/ws", h)
	if err != nil {
		return nil, fmt.Errorf("console websocket: %w", err)
	}
	c := &console{ws: ws, msgs: make(chan map[string]any, 1024), done: make(chan struct{})}
	go c.read()
	rx, offer, err := webrtctest.NewReceiver(25)
	if err != nil {
		c.close()
		return nil, err
	}
	c.rx = rx
	if err := c.send(map[string]any{"type": "offer", "sdp": offer}); err != nil {
		c.close()
		return nil, err
	}
	ans, err := c.wait(ctx, 10*time.Second, func(m map[string]any) bool { return m["type"] == "answer" })
	if err != nil {
		c.close()
		return nil, err
	}
	if err := rx.Accept(ans["sdp"].(string)); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

func (c *console) read() {
	defer close(c.done)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var m map[string]any
		if json.Unmarshal(data, &m) == nil {
			if m["type"] == "answer" {
				c.answerCount.Add(1)
			}
			select {
			case c.msgs <- m:
			default: // nobody is waiting for messages: drop
			}
		}
	}
}

func (c *console) send(v any) error { return c.ws.WriteJSON(v) }

// wait returns the first message match accepts.
func (c *console) wait(ctx context.Context, within time.Duration, match func(map[string]any) bool) (map[string]any, error) {
	deadline := time.After(within)
	for {
		select {
		case m := <-c.msgs:
			if match(m) {
				return m, nil
			}
		case <-c.done:
			return nil, fmt.Errorf("console websocket closed")
		case <-deadline:
			return nil, fmt.Errorf("no expected console message within %v", within)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// renegotiations is the number of answers after the first.
func (c *console) renegotiations() int { return int(c.answerCount.Load()) - 1 }

func (c *console) close() {
	c.ws.Close()
	<-c.done
	if c.rx != nil {
		c.rx.Close()
	}
}
