package main

import (
	"net/http"
	"strings"
	"testing"

	"vigil/streams/sim"
)

func TestControlEndpoint(t *testing.T) {
	t.Parallel()
	srv, err := sim.NewServer(sim.ServerOptions{Listen: "127.0.0.1:0", Cameras: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	addr, stop, err := serveControl("127.0.0.1:0", srv)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	post := func(path string) int {
		t.Helper()
		res, err := http.Post("http://"+addr+path, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for path, want := range map[string]int{
		"/cameras/cam0/fault?fault=freeze": 204, "/cameras/cam0/fault?fault=none": 204,
		"/cameras/cam0/drop": 204, "/cameras/cam0/fault?fault=melt": 400,
		"/cameras/cam9/fault?fault=black": 400, "/cameras/cam9/drop": 400,
	} {
		if got := post(path); got != want {
			t.Errorf("POST %s: %d, want %d", path, got, want)
		}
	}
	if err := startFaults(srv, []string{"cam0=stall"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"cam0", "cam0=melt", "cam7=freeze"} {
		if err := startFaults(srv, []string{bad}); err == nil {
			t.Errorf("-fault %s accepted", bad)
		}
	}
}

func TestRunWithControl(t *testing.T) {
	t.Parallel()
	lines := runLines(t, 3, "-cameras", "1", "-fault", "cam0=freeze", "-control", "127.0.0.1:0")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "control: http://127.0.0.1:") {
		t.Fatalf("output %q", lines)
	}
}
