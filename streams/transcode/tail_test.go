package transcode

import (
	"strings"
	"testing"
)

func TestTailKeepsLastLinesBounded(t *testing.T) {
	tl := newTail(3, 10)
	for _, chunk := range []string{"one\ntw", "o\r\nthree\n", "\n", "four\nfive is a very long line\nsix"} {
		tl.Write([]byte(chunk))
	}
	if got, want := tl.String(), "three | four | five is a | six"; got != want {
		t.Fatalf("tail %q, want %q", got, want)
	}
	tl.Write([]byte(strings.Repeat("x", 1<<20)))
	if len(tl.String()) > 3*10+20 {
		t.Fatalf("tail grew to %d bytes", len(tl.String()))
	}
}
