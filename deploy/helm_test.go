package deploy

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// helmModule is the Helm the chart is checked with: built from the Go
// module proxy, pinned, so CI needs no other download.
const helmModule = "helm.sh/helm/v4/cmd/helm@v4.3.2"

const chartDir = "helm/vigil"

// helm runs Helm with args and returns its stdout, and its stderr as the
// error when it fails.
func helm(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"run", helmModule}, args...)...)
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(),
		"HELM_DATA_HOME="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("helm %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// valuesFiles are the values the chart is rendered with: its defaults and
// the five-station example.
var valuesFiles = map[string]string{
	"default":       "",
	"five-stations": filepath.Join(chartDir, "examples", "five-stations.yaml"),
}

func helmArgs(cmd, values string) []string {
	args := []string{cmd}
	if cmd == "template" {
		args = append(args, "vigil")
	}
	args = append(args, chartDir)
	if cmd == "template" {
		args = append(args, "--namespace", "vigil")
	}
	if values != "" {
		args = append(args, "-f", values)
	}
	return args
}

func TestChartLints(t *testing.T) {
	for name, values := range valuesFiles {
		t.Run(name, func(t *testing.T) {
			if out, err := helm(t, append(helmArgs("lint", values), "--strict")...); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
		})
	}
}

func TestChartRenders(t *testing.T) {
	for name, values := range valuesFiles {
		t.Run(name, func(t *testing.T) {
			out, err := helm(t, helmArgs("template", values)...)
			if err != nil {
				t.Fatal(err)
			}
			r := decodeAll(t, out)
			v := chartValues(t, values)
			r.checkStations(t, v)
			r.checkSelectors(t)
			r.checkPods(t, v)
			r.checkConfig(t, v)
		})
	}
}

// TestChartRefusesBadStations: values that would run a station without a
// node, or one node for two stations, fail `helm template` with a message
// naming them; so do a misnamed node and a misspelt key (the schema).
func TestChartRefusesBadStations(t *testing.T) {
	for _, tt := range []struct{ file, want string }{
		{"station-without-nodes.yaml", "station bjn has no nodes"},
		{"node-in-two-stations.yaml", "node bjx-1 is in two stations, bjx and bjn"},
		{"misnamed-node.yaml", "station bjx: node 0 is west-1, must be bjx-0"},
		{"misspelt-key.yaml", "additional properties 'stationz' not allowed"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			out, err := helm(t, helmArgs("template", filepath.Join("testdata", tt.file))...)
			if err == nil {
				t.Fatalf("rendered:\n%s", out)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v\nwant it to say %q", err, tt.want)
			}
		})
	}
}

// values is what the checks need of a values file merged over the
// chart's defaults (Helm replaces lists whole).
type values struct {
	Stations []struct {
		ID      string
		Nodes   []string
		Cameras []map[string]any
	}
	Center struct {
		Nodes []string
	}
	Lifecycle struct {
		Grace                         string
		TerminationGracePeriodSeconds int64
	}
	Secrets struct {
		ExistingSecret string
	}
	CameraSecret string
	Metrics      struct {
		ServiceMonitor struct {
			TokenSecret struct{ Name string }
		}
	}
}

func chartValues(t *testing.T, file string) values {
	t.Helper()
	merged := map[string]any{}
	for _, f := range []string{filepath.Join(chartDir, "values.yaml"), file} {
		if f == "" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		mergeValues(merged, m)
	}
	b, _ := yaml.Marshal(merged)
	var v values
	if err := yaml.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// mergeValues merges src into dst as Helm does: maps deeply, anything
// else replaced.
func mergeValues(dst, src map[string]any) {
	for k, sv := range src {
		if sm, ok := sv.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				mergeValues(dm, sm)
				continue
			}
		}
		dst[k] = sv
	}
}
