// Package netns runs a test inside a network namespace of its own with
// loopback alone, so a test that multicasts (WS-Discovery) never sends a
// packet onto the machine's networks.
package netns

import (
	"net"
	"os"
	"os/exec"
	"regexp"
	"testing"
)

// envInside marks the re-executed test binary.
const envInside = "VIGIL_TEST_IN_NETNS"

// Loopback reports whether the calling test runs inside the namespace.
// Outside, it re-runs the test binary for this one test under `unshare -n`
// and returns false: the caller returns and the inner run's result is the
// test's (its output is logged). Inside, it brings lo up with multicast
// and a route for 224.0.0.0/4, checks that lo is the only interface, and
// returns true. Without unshare (or without the right to use it) the test
// is skipped, except under CI=true, where it fails.
func Loopback(t *testing.T) bool {
	t.Helper()
	if os.Getenv(envInside) == "1" {
		setupLoopback(t)
		return true
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		missing(t, "unshare is not installed: "+err.Error())
		return false
	}
	if err := exec.Command(unshare, "-n", "true").Run(); err != nil {
		missing(t, "unshare -n is not permitted here: "+err.Error())
		return false
	}
	args := []string{"-n", "--", os.Args[0], "-test.run", "^" + regexp.QuoteMeta(t.Name()) + "$", "-test.v", "-test.count=1"}
	cmd := exec.CommandContext(t.Context(), unshare, args...)
	cmd.Env = append(os.Environ(), envInside+"=1")
	out, err := cmd.CombinedOutput()
	t.Logf("inside a network namespace with loopback alone:\n%s", out)
	if err != nil {
		t.Fatalf("the test failed inside its network namespace: %v", err)
	}
	return false
}

func missing(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("multicast test cannot be isolated: %s", why)
	}
	t.Skipf("skipped: the multicast test needs its own network namespace: %s", why)
}

func setupLoopback(t *testing.T) {
	t.Helper()
	for _, args := range [][]string{
		{"link", "set", "lo", "up"},
		{"link", "set", "lo", "multicast", "on"},
		{"route", "add", "224.0.0.0/4", "dev", "lo"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	if len(ifs) != 1 || ifs[0].Name != "lo" {
		t.Fatalf("the namespace has interfaces other than lo: %v", ifs)
	}
}
