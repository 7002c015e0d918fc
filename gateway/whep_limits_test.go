package gateway_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"vigil/gateway/auth"
	"vigil/streams/sim"
	"vigil/streams/webrtc/webrtctest"
)

// postOffer sends a WHEP offer for bjx-nsq-01 and returns the status and
// the session's Location.
func postOffer(t *testing.T, base, token, offer string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/whep/bjx-nsq-01", strings.NewReader(offer))
	req.Header.Set("Content-Type", "application/sdp")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Location")
}

// validOffer is a pion receiver's offer of one video track.
func validOffer(t *testing.T) string {
	t.Helper()
	rx, offer, err := webrtctest.New(webrtctest.Options{Videos: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rx.Close)
	return offer
}

// TestRefusedWHEPOffersRecordNoViewEnd: 100 unusable offers at once are
// refused and leave neither view.start nor view.end; a view that starts
// and ends leaves one of each.
func TestRefusedWHEPOffersRecordNoViewEnd(t *testing.T) {
	g := startTestGateway(t, twoStations+"http:\n  max_whep_per_user: 1000\n") // every offer gets to negotiate
	bad := []string{"v=0\r\n", "not sdp at all", strings.Replace(validOffer(t), "m=video", "m=audio", 1)}
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if status, _ := postOffer(t, g.URL(), g.admin.token, bad[i%len(bad)]); status != http.StatusBadRequest {
				t.Errorf("bad offer %d: %d, want 400", i, status)
			}
		}()
	}
	wg.Wait()
	status, loc := postOffer(t, g.URL(), g.admin.token, validOffer(t))
	if status != http.StatusCreated {
		t.Fatalf("valid offer: %d", status)
	}
	g.admin.must(http.StatusOK, "DELETE", loc, nil, nil)
	for _, action := range []string{"view.start", "view.end"} {
		if list := g.auditEntries("action=" + action); len(list) != 1 {
			t.Errorf("%d %s entries, want 1:%s", len(list), action, fmtEntries(list))
		}
	}
}

// TestWHEPSessionsPerUser: of 20 offers sent at once by a user allowed 3
// sessions, 3 are answered and 17 refused with 429; another user is not
// affected, and a closed session frees its slot.
func TestWHEPSessionsPerUser(t *testing.T) {
	g := startTestGateway(t, twoStations+"http:\n  max_whep_per_user: 3\n")
	offers := make([]string, 20)
	for i := range offers {
		offers[i] = validOffer(t)
	}
	var mu sync.Mutex
	count := map[int]int{}
	var locs []string
	var wg sync.WaitGroup
	for _, offer := range offers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, loc := postOffer(t, g.URL(), g.admin.token, offer)
			mu.Lock()
			defer mu.Unlock()
			count[status]++
			if loc != "" {
				locs = append(locs, loc)
			}
		}()
	}
	wg.Wait()
	if count[http.StatusCreated] != 3 || count[http.StatusTooManyRequests] != 17 {
		t.Fatalf("answers %v, want 3 × 201 and 17 × 429", count)
	}
	g.createUser("li", auth.RoleViewer)
	li := g.login("li", userPassword)
	if status, _ := postOffer(t, g.URL(), li.token, validOffer(t)); status != http.StatusCreated {
		t.Fatalf("another user: %d", status)
	}
	g.admin.must(http.StatusOK, "DELETE", locs[0], nil, nil)
	if status, _ := postOffer(t, g.URL(), g.admin.token, validOffer(t)); status != http.StatusCreated {
		t.Fatalf("after a DELETE: %d", status)
	}
}

// TestWHEPOfferCandidatesAreCapped: an offer naming 900 ICE addresses is
// refused (400) and starts nothing; a browser-like offer plays.
func TestWHEPOfferCandidatesAreCapped(t *testing.T) {
	cam := startCamera(t, sim.ServerOptions{})
	g, token := startGateway(t, oneCameraConfig(cam.URL("cam0")))
	var b strings.Builder
	for i := 0; i < 900; i++ {
		fmt.Fprintf(&b, "a=candidate:%d 1 udp 2130706431 127.0.0.1 %d typ host\r\n", i, 20000+i)
	}
	offer := validOffer(t)
	mid := strings.Index(offer, "a=mid:")
	if status, _ := postOffer(t, g.URL(), token, offer[:mid]+b.String()+offer[mid:]); status != http.StatusBadRequest {
		t.Fatalf("900 candidates: %d, want 400", status)
	}
	countDecodable(t, openWHEP(t, g.URL(), token, "bjx-nsq-01"), 10)
}
