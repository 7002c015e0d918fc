package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/gateway/actions"
	"vigil/gateway/auth"
	"vigil/gateway/webhooks"
	"vigil/internal/testwait"
	"vigil/streams/sim"
)

const hookSecret = "city-webhook-secret"

// alarmReceiver is the city platform's receiver: it checks the signature
// and records the alarm ids it accepted, in order; while down it answers
// 500. broken ones answer 500 forever.
type alarmReceiver struct {
	srv    *httptest.Server
	down   atomic.Bool
	posts  atomic.Int64
	badSig atomic.Int64
	mu     sync.Mutex
	ids    []string
}

func newAlarmReceiver(t *testing.T) *alarmReceiver {
	r := &alarmReceiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.posts.Add(1)
		body, _ := io.ReadAll(req.Body)
		if !webhooks.Verify(hookSecret, body, req.Header.Get(webhooks.SignatureHeader)) {
			r.badSig.Add(1)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var m struct{ Alarm actions.Event }
		if r.down.Load() || json.Unmarshal(body, &m) != nil {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		r.mu.Lock()
		r.ids = append(r.ids, m.Alarm.ID)
		r.mu.Unlock()
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *alarmReceiver) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ids)
}

// startGatewayIn runs a gateway on dataDir, which a later one may reuse
// (a restart); the caller closes it.
func startGatewayIn(t *testing.T, dir, configYAML string) (*gateway.Gateway, string) {
	t.Helper()
	path := filepath.Join(dir, "vigil.yaml")
	if err := os.WriteFile(path, []byte(configYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	g, err := gateway.New(context.Background(), gateway.Options{
		HTTPAddr: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"), ConfigPath: path,
		WebRTCUDPAddr: "127.0.0.1:0", WebRTCTCPAddr: "127.0.0.1:0", AdminPassword: adminPassword,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return g, login(t, g.URL(), "admin", adminPassword)
}

func raise(g *gateway.Gateway, from, to int) {
	for i := from; i < to; i++ {
		g.HandleAlarm(actions.Event{ID: strconv.Itoa(i), Type: "camera_offline", Camera: "bjx-nsq-01", Station: "bjx",
			State: "active", Count: 1, RaisedAt: time.Now(), Detail: "unreachable"})
	}
}

// backlog reads vigil_webhook_backlog of webhook from /metrics.
func backlog(t *testing.T, g *gateway.Gateway, token, webhook string) int {
	t.Helper()
	resp := do(t, http.MethodGet, g.URL()+"/metrics", token, nil)
	body, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^vigil_webhook_backlog\{webhook="` + webhook + `"\} (\d+)$`).FindSubmatch(body)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// TestWebhooksAcrossRestart: alarms raised while the receiver is down
// reach it signed and in order after a restart of vigil on the same data
// directory; a receiver answering 500 forever is retried, its backlog
// metric grows, and it holds up no other webhook.
func TestWebhooksAcrossRestart(t *testing.T) {
	cam := startCamera(t, sim.ServerOptions{})
	city, broken := newAlarmReceiver(t), newAlarmReceiver(t)
	city.down.Store(true)
	broken.down.Store(true)
	cfg := oneCameraConfig(cam.URL("cam0")) + fmt.Sprintf(`webhooks:
  - id: city
    url: %s/alarms
    secret: %s
  - id: broken
    url: %s/alarms
    secret: %s
    types: [camera_offline]
`, city.srv.URL, hookSecret, broken.srv.URL, hookSecret)
	dir := t.TempDir()

	g, token := startGatewayIn(t, dir, cfg)
	raise(g, 0, 10)
	testwait.For(t, "retries while the receivers are down", func() bool { return city.posts.Load() >= 2 && broken.posts.Load() >= 2 })
	if n := backlog(t, g, token, "city"); n != 10 {
		t.Fatalf("city backlog = %d, want 10", n)
	}
	g.Close()

	g, token = startGatewayIn(t, dir, cfg)
	defer g.Close()
	raise(g, 10, 15)
	city.down.Store(false)
	testwait.For(t, "every alarm at city", func() bool { return len(city.got()) >= 15 })
	want := make([]string, 15)
	for i := range want {
		want[i] = strconv.Itoa(i)
	}
	if got := city.got(); !slices.Equal(got, want) {
		t.Fatalf("city got %v, want 0..14 in order", got)
	}
	if city.badSig.Load()+broken.badSig.Load() != 0 {
		t.Fatal("a POST with a bad signature")
	}
	testwait.For(t, "city's backlog drained", func() bool { return backlog(t, g, token, "city") == 0 })
	raise(g, 15, 20)
	testwait.For(t, "broken's backlog grows to 20", func() bool { return backlog(t, g, token, "broken") == 20 })
	testwait.For(t, "city gets the next alarms meanwhile", func() bool { return len(city.got()) == 20 })
	checkDeliveryLog(t, g, token)
}

func checkDeliveryLog(t *testing.T, g *gateway.Gateway, token string) {
	t.Helper()
	var out struct {
		Deliveries []struct {
			Webhook    string
			State      string
			Attempts   int
			LastStatus int `json:"last_status"`
		}
	}
	decode(t, do(t, http.MethodGet, g.URL()+"/api/webhooks/deliveries?webhook=broken&state=pending&limit=1000", token, nil), &out)
	head := out.Deliveries[len(out.Deliveries)-1]
	if len(out.Deliveries) != 20 || head.Attempts < 2 || head.LastStatus != http.StatusInternalServerError {
		t.Fatalf("broken's queue: %d, head %+v", len(out.Deliveries), head)
	}
	operator := addUser(t, g, "op1", auth.RoleOperator)
	if resp := do(t, http.MethodGet, g.URL()+"/api/webhooks/deliveries", operator, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an operator read the delivery log: %s", resp.Status)
	}
	if resp := do(t, http.MethodPost, g.URL()+"/api/config/reload", operator, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an operator reloaded the config: %s", resp.Status)
	}
}
