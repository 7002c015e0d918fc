package main

import (
	"fmt"
	"net"
	"net/http"
	"strings"

	"vigil/streams/sim"
)

// faultServer is what the control endpoint drives; *sim.Server.
type faultServer interface {
	SetFault(cam string, f sim.Fault) error
	Drop(cam string) error
}

// controlHandler puts faults on cue over HTTP, for tests and drills that
// run camsim as a process:
//
//	POST /cameras/{name}/fault?fault=freeze|black|stall|unauthorized|thin|none
//	POST /cameras/{name}/drop
func controlHandler(s faultServer) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /cameras/{name}/fault", func(w http.ResponseWriter, r *http.Request) {
		f, err := sim.ParseFault(r.URL.Query().Get("fault"))
		if err == nil {
			err = s.SetFault(r.PathValue("name"), f)
		}
		answer(w, err)
	})
	mux.HandleFunc("POST /cameras/{name}/drop", func(w http.ResponseWriter, r *http.Request) {
		answer(w, s.Drop(r.PathValue("name")))
	})
	return mux
}

func answer(w http.ResponseWriter, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// serveControl listens on addr and serves the control endpoint until the
// returned stop is called.
func serveControl(addr string, s faultServer) (bound string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("-control: %w", err)
	}
	srv := &http.Server{Handler: controlHandler(s)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed
	}()
	return ln.Addr().String(), func() { srv.Close(); <-done }, nil
}

// startFaults applies -fault NAME=FAULT flags.
func startFaults(s faultServer, specs []string) error {
	for _, spec := range specs {
		name, fault, ok := strings.Cut(spec, "=")
		if !ok {
			return fmt.Errorf("-fault %q: want CAMERA=FAULT", spec)
		}
		f, err := sim.ParseFault(fault)
		if err != nil {
			return fmt.Errorf("-fault %q: %w", spec, err)
		}
		if err := s.SetFault(name, f); err != nil {
			return fmt.Errorf("-fault %q: %w", spec, err)
		}
	}
	return nil
}

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }
