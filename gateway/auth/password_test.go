package auth

import (
	"errors"
	"runtime/metrics"
	"strings"
	"testing"
)

func TestHashAndCheck(t *testing.T) {
	t.Parallel()
	h, err := HashPasswordWith(testParams, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=256,t=1,p=1$") {
		t.Fatalf("hash = %s", h)
	}
	if !CheckPassword(h, "correct horse") {
		t.Error("right password rejected")
	}
	for _, wrong := range []string{"correct hors", "correct horsE", "", "correct horse "} {
		if CheckPassword(h, wrong) {
			t.Errorf("%q accepted", wrong)
		}
	}
	h2, _ := HashPasswordWith(testParams, "correct horse")
	if h == h2 {
		t.Error("same hash twice: salt not random")
	}
}

func TestDefaultParams(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("64 MiB argon2")
	}
	h, err := HashPassword("0123456789")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=1,p=2$") || !CheckPassword(h, "0123456789") {
		t.Fatalf("hash = %s", h)
	}
}

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	if _, err := HashPasswordWith(testParams, "123456789"); !errors.Is(err, ErrPasswordTooShort) {
		t.Errorf("9 chars: %v", err)
	}
	if _, err := HashPasswordWith(testParams, "北京西站北京西站北京"); err != nil {
		t.Errorf("10 CJK chars: %v", err)
	}
	if _, err := HashPasswordWith(testParams, strings.Repeat("x", MaxPasswordLen+1)); !errors.Is(err, ErrPasswordTooLong) {
		t.Errorf("too long: %v", err)
	}
}

func TestCheckPasswordRejectsMalformed(t *testing.T) {
	t.Parallel()
	good, _ := HashPasswordWith(testParams, "0123456789")
	f := strings.Split(good, "$")
	bad := []string{
		"", "plain", "$argon2i$v=19$m=256,t=1,p=1$" + f[4] + "$" + f[5],
		"$argon2id$v=16$m=256,t=1,p=1$" + f[4] + "$" + f[5],
		"$argon2id$v=19$m=99999999,t=1,p=1$" + f[4] + "$" + f[5], // memory bomb
		"$argon2id$v=19$m=256,t=1000,p=1$" + f[4] + "$" + f[5],
		"$argon2id$v=19$m=256,t=1,p=0$" + f[4] + "$" + f[5],
		"$argon2id$v=19$m=256,t=1,p=1$!!$" + f[5],
		"$argon2id$v=19$m=256,t=1,p=1$" + f[4] + "$",
		good + "$",
	}
	for _, h := range bad {
		if CheckPassword(h, "0123456789") {
			t.Errorf("malformed hash %q matched", h)
		}
	}
}

func FuzzCheckPassword(f *testing.F) {
	good, _ := HashPasswordWith(testParams, "0123456789")
	f.Add(good, "0123456789")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", "x")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		CheckPassword(hash, pw) // must not panic or allocate wildly
	})
}

// TestHashingGivesItsMemoryBack: after a hash at DefaultParams, the heap's
// next collection is not set past argon2's 64 MiB block, which is garbage
// by then. Not parallel: other tests' hashes would hold their blocks.
func TestHashingGivesItsMemoryBack(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	block := uint64(DefaultParams().Memory) << 10
	if goal := heapGoal(); goal >= block {
		t.Fatalf("after a hash the heap's goal is %d MiB, want below argon2's %d MiB block", goal>>20, block>>20)
	}
	if !CheckPassword(h, "correct horse battery") {
		t.Fatal("right password rejected")
	}
	if goal := heapGoal(); goal >= block {
		t.Fatalf("after a check the heap's goal is %d MiB, want below argon2's %d MiB block", goal>>20, block>>20)
	}
}

func heapGoal() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
