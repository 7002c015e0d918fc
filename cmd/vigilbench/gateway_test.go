package main

import (
	"io"
	"testing"

	"vigil/gateway/config"
)

// TestDiagnosisFlag: -diagnosis=false reaches vigil's config as
// alarms.diagnosis: false, which vigil accepts; the default leaves the
// diagnosis on.
func TestDiagnosisFlag(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want bool
	}{
		{[]string{"ingest"}, true},
		{[]string{"-diagnosis=false", "ingest"}, false},
	} {
		cl, err := parse(c.args, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Parse([]byte(vigilConfig("127.0.0.1:8554", 3, false, cl.opts.Diagnosis)))
		if err != nil {
			t.Fatalf("%v: vigil refuses the config: %v", c.args, err)
		}
		if got := cfg.Alarms.DiagnosisOn(camName(0)); got != c.want {
			t.Errorf("%v: diagnosis on %v, want %v", c.args, got, c.want)
		}
	}
}
