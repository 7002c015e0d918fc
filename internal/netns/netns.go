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

// envInside marks the re-executed test binary; envDummy asks for the
// dummy interface too.
const (
	envInside = "VIGIL_TEST_IN_NETNS"
	envDummy  = "VIGIL_TEST_NETNS_DUMMY"
)

// DummyAddr is the address of the interface LoopbackForBrowser adds.
const DummyAddr = "10.254.0.1"

// Loopback reports whether the calling test runs inside the namespace.
// Outside, it re-runs the test binary for this one test under `unshare -n`
// and returns false: the caller returns and the inner run's result is the
// test's (its output is logged). Inside, it brings lo up with multicast
// and a route for 224.0.0.0/4, checks that lo is the only interface, and
// returns true. Without unshare (or without the right to use it) the test
// is skipped, except under CI=true, where it fails.
func Loopback(t *testing.T) bool {
	t.Helper()
	return isolate(t, false)
}

// LoopbackForBrowser is Loopback with a veth pair beside lo, both ends in
// the namespace (vigil0 with DummyAddr/24, vigil1 without address):
// Chromium gathers no ICE candidates on loopback alone, and vigil0 gives
// it a host candidate whose packets cannot leave the namespace. Multicast
// is still routed to lo only.
func LoopbackForBrowser(t *testing.T) bool {
	t.Helper()
	return isolate(t, true)
}

func isolate(t *testing.T, dummy bool) bool {
	t.Helper()
	if os.Getenv(envInside) == "1" {
		setupLoopback(t, os.Getenv(envDummy) == "1")
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
	if dummy {
		cmd.Env = append(cmd.Env, envDummy+"=1")
	}
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

func setupLoopback(t *testing.T, dummy bool) {
	t.Helper()
	steps := [][]string{
		{"link", "set", "lo", "up"},
		{"link", "set", "lo", "multicast", "on"},
		{"route", "add", "224.0.0.0/4", "dev", "lo"},
	}
	want := 1
	if dummy {
		// No IPv6 on the pair: its link-local addresses would arrive a
		// second or two after the links come up, and Chromium aborts a page
		// load in flight when the machine's addresses change
		// (ERR_NETWORK_CHANGED), so the console would sometimes never load.
		for _, k := range []string{"default", "all"} {
			if err := os.WriteFile("/proc/sys/net/ipv6/conf/"+k+"/disable_ipv6", []byte("1"), 0o644); err != nil {
				t.Logf("netns: IPv6 stays on (%v)", err)
			}
		}
		steps = append(steps, []string{"link", "add", "vigil0", "type", "veth", "peer", "name", "vigil1"},
			[]string{"addr", "add", DummyAddr + "/24", "dev", "vigil0"},
			[]string{"link", "set", "vigil0", "up"}, []string{"link", "set", "vigil1", "up"})
		want = 3
	}
	for _, args := range steps {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, i := range ifs {
		names[i.Name] = true
	}
	if len(ifs) != want || !names["lo"] || (dummy && (!names["vigil0"] || !names["vigil1"])) {
		t.Fatalf("the namespace has other interfaces than lo (and vigil0/1): %v", ifs)
	}
}
