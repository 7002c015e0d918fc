package onvif

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fixtureDevice serves a vendor's captured replies over real HTTP: the
// reply to an operation is testdata/VENDOR/Op_ProfileToken.xml or Op.xml;
// an operation without a file gets the vendor's ActionNotSupported fault.
// Signed calls must carry a valid digest whose Created matches the
// fixture's clock (clock), so the client's clock offset is exercised.
type fixtureDevice struct {
	t      *testing.T
	dir    string
	user   string
	pass   string
	clock  time.Time
	srv    *httptest.Server
	mu     sync.Mutex
	ops    []string
	faults map[string]string // op → fixture file to answer instead
}

func newFixtureDevice(t *testing.T, vendor string, clock time.Time) *fixtureDevice {
	f := &fixtureDevice{t: t, dir: filepath.Join("testdata", vendor), user: "admin", pass: "Hik12345!", clock: clock, faults: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixtureDevice) url() string { return f.srv.URL + "/onvif/device_service" }

func (f *fixtureDevice) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ops...)
}

func (f *fixtureDevice) serve(w http.ResponseWriter, r *http.Request) {
	data, _ := io.ReadAll(r.Body)
	req, err := ReadRequest(data)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.ops = append(f.ops, req.Op)
	fault := f.faults[req.Op]
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
	if req.Op != "GetSystemDateAndTime" {
		if err := req.Token.Check(f.user, f.pass, f.clock, 30*time.Second); err != nil {
			f.reply(w, http.StatusBadRequest, "NotAuthorized.xml")
			return
		}
	}
	if fault != "" {
		f.reply(w, http.StatusBadRequest, fault)
		return
	}
	for _, name := range []string{req.Op + "_" + req.Fields["ProfileToken"] + ".xml", req.Op + ".xml"} {
		if _, err := os.Stat(filepath.Join(f.dir, name)); err == nil {
			f.reply(w, http.StatusOK, name)
			return
		}
	}
	w.WriteHeader(http.StatusBadRequest)
	_, _ = io.WriteString(w, FaultReply("env:Receiver", "ter:ActionNotSupported", "Optional Action Not Implemented"))
}

func (f *fixtureDevice) reply(w http.ResponseWriter, status int, name string) {
	data, err := os.ReadFile(filepath.Join(f.dir, name))
	if err != nil {
		f.t.Errorf("fixture %s: %v", name, err)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write(data)
}
