package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// systemdAnalyze finds systemd-analyze; under CI=true it must be there
// (.ci/run installs Debian's systemd package).
func systemdAnalyze(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("systemd-analyze not installed (CI=true): apt-get install systemd")
		}
		t.Skip("systemd-analyze not installed")
	}
	return bin
}

// unitCopy writes the unit with ExecStart pointing at an executable that
// exists here (verify checks it), and returns its path.
func unitCopy(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("systemd", "vigil.service"))
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	unit := strings.Replace(string(b), "ExecStart=/usr/local/bin/vigil", "ExecStart="+self, 1)
	if unit == string(b) {
		t.Fatal("vigil.service has no ExecStart=/usr/local/bin/vigil")
	}
	path := filepath.Join(t.TempDir(), "vigil.service")
	if err := os.WriteFile(path, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSystemdUnitVerifies runs systemd-analyze verify on the unit. verify
// exits 0 even for unknown keys and bad values (it only warns), so any
// output fails the test too.
func TestSystemdUnitVerifies(t *testing.T) {
	bin := systemdAnalyze(t)
	out, err := exec.Command(bin, "verify", unitCopy(t)).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestSystemdUnitIsHardened checks the exposure systemd-analyze security
// computes offline (0 best, 10 worst; --threshold counts tenths) and the settings the deployment
// relies on.
func TestSystemdUnitIsHardened(t *testing.T) {
	bin := systemdAnalyze(t)
	path := unitCopy(t)
	out, err := exec.Command(bin, "security", "--offline=yes", "--threshold=20", path).CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze security: exposure above 2.0: %v\n%s", err, out)
	}
	b, _ := os.ReadFile(path)
	unit := string(b)
	for _, want := range []string{"DynamicUser=yes", "ProtectSystem=strict", "StateDirectory=vigil", "ReadWritePaths=/var/lib/vigil",
		"NoNewPrivileges=yes", "CapabilityBoundingSet=\n", "Restart=on-failure", "PrivateTmp=yes", "ProtectHome=yes",
		"SystemCallFilter=@system-service", "RestrictAddressFamilies="} {
		if !strings.Contains(unit, want) {
			t.Errorf("vigil.service lacks %q", strings.TrimSpace(want))
		}
	}
	if m := regexp.MustCompile(`(?m)^LimitNOFILE=(\d+)$`).FindStringSubmatch(unit); m == nil || len(m[1]) < 5 {
		t.Errorf("LimitNOFILE missing or under 10000 (hundreds of cameras)")
	}
	stop := regexp.MustCompile(`(?m)^TimeoutStopSec=(\d+)s$`).FindStringSubmatch(unit)
	env, _ := os.ReadFile(filepath.Join("systemd", "vigil.env"))
	grace := regexp.MustCompile(`(?m)^VIGIL_GRACE=(\S+)$`).FindStringSubmatch(string(env))
	if stop == nil || grace == nil {
		t.Fatalf("TimeoutStopSec (%v) or VIGIL_GRACE (%v) missing", stop, grace)
	}
	g, err := time.ParseDuration(grace[1])
	s, _ := time.ParseDuration(stop[1] + "s")
	if err != nil || s <= g {
		t.Errorf("TimeoutStopSec %v not above the drain grace %v", s, g)
	}
}
