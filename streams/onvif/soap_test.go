package onvif

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// The example of the ONVIF Application Programmer's Guide (§6.1.1.3).
func TestPasswordDigestKnownVector(t *testing.T) {
	nonce := mustBase64(t, "LKqI6G/AikKCQrN0zqZFlg==")
	if got := PasswordDigest(nonce, "2010-09-16T07:50:45Z", "userpassword"); got != "tuOSpGlFlIXsozq4HFNeeGeFLEI=" {
		t.Fatalf("digest %s", got)
	}
}

func TestTokenCheckRefusesStaleAndWrong(t *testing.T) {
	c, _ := NewClient(Options{URL: "http://127.0.0.1/", Username: "u", Password: "p"})
	req, err := ReadRequest([]byte(c.envelope(`<GetProfiles xmlns="` + nsMedia + `"/>`)))
	if err != nil || req.Op != "GetProfiles" {
		t.Fatalf("%+v %v", req, err)
	}
	now := time.Now()
	if err := req.Token.Check("u", "p", now, 5*time.Second); err != nil {
		t.Fatalf("good token refused: %v", err)
	}
	if err := req.Token.Check("u", "q", now, 5*time.Second); !errors.Is(err, ErrNotAuthorized) {
		t.Fatalf("wrong password: %v", err)
	}
	if err := req.Token.Check("u", "p", now.Add(time.Minute), 5*time.Second); !errors.Is(err, ErrNotAuthorized) {
		t.Fatalf("stale token: %v", err)
	}
	var none *UsernameToken
	if err := none.Check("u", "p", now, time.Second); !errors.Is(err, ErrNotAuthorized) {
		t.Fatalf("no token: %v", err)
	}
}

func TestReplyOver1MiBIsRefused(t *testing.T) {
	// 10 MB of well-formed XML inside a valid envelope.
	big := Reply(`<trt:GetProfilesResponse>` + strings.Repeat(`<trt:Profiles token="x"><tt:Name>n</tt:Name></trt:Profiles>`, 200_000) + `</trt:GetProfilesResponse>`)
	if len(big) < 10<<20 {
		t.Fatalf("reply only %d bytes", len(big))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(big))
	}))
	defer srv.Close()
	c, _ := NewClient(Options{URL: srv.URL})
	_, err := c.Profiles(context.Background(), srv.URL)
	if !errors.Is(err, ErrReplyTooLarge) || !strings.Contains(err.Error(), "GetProfiles") {
		t.Fatalf("want ErrReplyTooLarge naming GetProfiles, got %v", err)
	}
}

func TestSilentDeviceTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c, _ := NewClient(Options{URL: srv.URL, Timeout: 50 * time.Millisecond})
	_, err := c.SystemDateAndTime(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "GetSystemDateAndTime") {
		t.Fatalf("want a deadline error naming the call, got %v", err)
	}
}

func TestSOAP11FaultAndGarbage(t *testing.T) {
	data, err := os.ReadFile("testdata/soap11_fault.xml")
	if err != nil {
		t.Fatal(err)
	}
	var f *Fault
	if err := decodeReply(data, nil); !errors.As(err, &f) || f.Code != "SOAP-ENV:Client" || f.Reason != "Authentication failed" {
		t.Fatalf("SOAP 1.1 fault: %v", err)
	}
	for _, bad := range []string{"", "<html><body>401</body></html>", "<Envelope><Body>", "\x00\xff"} {
		if err := decodeReply([]byte(bad), &profilesResponse{}); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestHTTPErrorWithoutEnvelope(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
	}))
	defer srv.Close()
	c, _ := NewClient(Options{URL: srv.URL, Username: "admin", Password: "s3cret"})
	_, err := c.DeviceInformation(context.Background())
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("got %v", err)
	}
}

func TestNewClientRefusesNonHTTP(t *testing.T) {
	if _, err := NewClient(Options{URL: "rtsp://10.0.0.1/"}); err == nil {
		t.Fatal("rtsp URL accepted as device service")
	}
}
