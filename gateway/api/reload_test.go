package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/gateway/api"
	"vigil/gateway/auth"
	"vigil/gateway/store"
)

// reloadAs answers a reload as a gateway would: what changed or why not.
type reloadAs struct {
	changed []string
	err     error
	by      string
}

func (r *reloadAs) Reload(_ context.Context, by string) ([]string, error) {
	r.by = by
	return r.changed, r.err
}

// adminAPI serves the API with reloader and the delivery log of st on a
// loopback listener and returns its URL and an admin's and a viewer's
// bearer tokens.
func adminAPI(t *testing.T, reloader api.Reloader, st *store.Store) (string, string, string) {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := auth.New(auth.Options{Store: st, Params: lightParams, Log: quiet})
	ctx := context.Background()
	for name, role := range map[string]auth.Role{"boss": auth.RoleAdmin, "eve": auth.RoleViewer} {
		if _, err := svc.CreateUser(ctx, name, rightPassword, role, nil); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(api.New(api.Options{Users: svc, Accounts: svc, Logger: quiet, Reload: reloader, Webhooks: deliveryLog{st}}))
	t.Cleanup(srv.Close)
	token := func(user string) string {
		tok, _, err := svc.Login(ctx, user, rightPassword, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	return srv.URL, token("boss"), token("eve")
}

// deliveryLog reads the store's delivery log as webhooks.Service does.
type deliveryLog struct{ *store.Store }

func (l deliveryLog) Deliveries(ctx context.Context, webhook, state string, limit int) ([]store.WebhookDelivery, error) {
	return l.WebhookDeliveries(ctx, webhook, state, limit)
}

func call(t *testing.T, method, url, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func openStore(t *testing.T) *store.Store {
	st, err := store.Open(filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestReloadAnswers(t *testing.T) {
	for _, tt := range []struct {
		name   string
		r      reloadAs
		status int
		want   string
	}{
		{"changed", reloadAs{changed: []string{"camera a added"}}, http.StatusOK, `"changed":["camera a added"]`},
		{"nothing changed", reloadAs{}, http.StatusOK, `"changed":[]`},
		{"demo mode", reloadAs{err: api.ErrNoConfigFile}, http.StatusConflict, `demo mode: no config file`},
		{"refused", reloadAs{err: errors.New(`config x.yaml: line 9: rules[0].camera "c": no such camera`)},
			http.StatusBadRequest, `"error":"config x.yaml: line 9: rules[0].camera \"c\": no such camera"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			url, admin, viewer := adminAPI(t, &tt.r, openStore(t))
			status, body := call(t, http.MethodPost, url+"/api/config/reload", admin)
			raw, _ := json.Marshal(body)
			if status != tt.status || !strings.Contains(string(raw), tt.want) || tt.r.by != "boss" {
				t.Fatalf("%d %s by %q, want %d %s", status, raw, tt.r.by, tt.status, tt.want)
			}
			tt.r.by = ""
			if status, _ := call(t, http.MethodPost, url+"/api/config/reload", viewer); status != http.StatusForbidden || tt.r.by != "" {
				t.Fatalf("a viewer's reload: %d", status)
			}
		})
	}
}

func TestDeliveryLogQuery(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	d, _ := st.EnqueueWebhook(ctx, store.WebhookDelivery{Webhook: "city", Event: "alarm.active", Body: []byte(`{}`)})
	d.State, d.Attempts, d.LastStatus, d.DoneAt = store.DeliveryDelivered, 1, 204, time.Now()
	st.UpdateWebhookDelivery(ctx, d)
	st.EnqueueWebhook(ctx, store.WebhookDelivery{Webhook: "ops", Event: "alarm.cleared", Body: []byte(`{}`)})
	url, admin, _ := adminAPI(t, nil, st)
	status, body := call(t, http.MethodGet, url+"/api/webhooks/deliveries?state=delivered", admin)
	list, _ := body["deliveries"].([]any)
	if status != http.StatusOK || len(list) != 1 || list[0].(map[string]any)["webhook"] != "city" {
		t.Fatalf("%d %v", status, body)
	}
	for _, bad := range []string{"?limit=0", "?limit=x", "?state=lost"} {
		if status, _ := call(t, http.MethodGet, url+"/api/webhooks/deliveries"+bad, admin); status != http.StatusBadRequest {
			t.Fatalf("%s: %d", bad, status)
		}
	}
}
