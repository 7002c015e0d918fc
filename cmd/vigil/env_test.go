package main

import (
	"flag"
	"testing"
)

func TestApplyEnv(t *testing.T) {
	fs := flag.NewFlagSet("vigil", flag.ContinueOnError)
	httpAddr := fs.String("http", ":8080", "")
	udp := fs.String("webrtc-udp", ":8189", "")
	node := fs.String("node", "", "")
	verbose := fs.Bool("v", false, "")
	if err := fs.Parse([]string{"-http", ":9000"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"VIGIL_HTTP": ":7000", "VIGIL_WEBRTC_UDP": ":9999", "VIGIL_NODE": "bjx-1", "VIGIL_V": "true"}
	if err := applyEnv(fs, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if *httpAddr != ":9000" || *udp != ":9999" || *node != "bjx-1" || !*verbose {
		t.Fatalf("http %q udp %q node %q v %v", *httpAddr, *udp, *node, *verbose)
	}
	fresh := flag.NewFlagSet("vigil", flag.ContinueOnError)
	fresh.Bool("v", false, "")
	env = map[string]string{"VIGIL_V": "maybe"}
	if err := applyEnv(fresh, func(k string) string { return env[k] }); err == nil {
		t.Fatal("accepted VIGIL_V=maybe")
	}
}
