package ids

import (
	"strings"
	"testing"
)

func TestValid(t *testing.T) {
	for id, want := range map[string]bool{
		"gate-1":                true,
		"0":                     true,
		"-":                     true,
		"bjx-nsq-01":            true,
		strings.Repeat("a", 64): true,
		strings.Repeat("a", 65): false,
		strings.Repeat("é", 32): false, // 64 bytes, not ASCII
		"":                      false,
		"Gate":                  false,
		"GATE-1":                false,
		"gate_1":                false,
		"gate.1":                false,
		"gate 1":                false,
		"gate/1":                false,
		"..":                    false,
		"../etc":                false,
		"gate\n":                false,
		"\ngate":                false,
		"gate\x00":              false,
		"câmera":                false,
		"摄像头":                   false,
		"ｇate":                  false, // fullwidth g
		"gate\u212a":            false, // Kelvin sign, which folds to k
		"a,b":                   false,
		"%61":                   false,
	} {
		if got := Valid(id); got != want {
			t.Errorf("Valid(%q) = %v, want %v", id, got, want)
		}
	}
}

// The console's messages check ids one by one: the check must not
// allocate.
func TestValidDoesNotAllocate(t *testing.T) {
	id := strings.Repeat("a", 64)
	if n := testing.AllocsPerRun(100, func() { Valid(id) }); n != 0 {
		t.Errorf("Valid allocates %v times per call", n)
	}
}

func BenchmarkValid(b *testing.B) {
	id := "bjx-nsq-01"
	for b.Loop() {
		Valid(id)
	}
}
