package deploy

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"vigil/gateway/config"
)

// checkStations: every station of the values has its StatefulSet, one
// replica per node, its headless Service as serviceName and a PDB letting
// one node down at a time; the center likewise.
func (r *rendered) checkStations(t *testing.T, v values) {
	t.Helper()
	tiers := map[string]int{}
	for _, s := range v.Stations {
		tiers[s.ID] = len(s.Nodes)
	}
	if len(v.Center.Nodes) > 0 {
		tiers["center"] = len(v.Center.Nodes)
	}
	for name, nodes := range tiers {
		sts, ok := r.statefulSet(name)
		if !ok {
			t.Errorf("station %s has no StatefulSet", name)
			continue
		}
		if sts.Spec.Replicas == nil || int(*sts.Spec.Replicas) != nodes {
			t.Errorf("StatefulSet %s: replicas %v, want %d (its nodes)", name, sts.Spec.Replicas, nodes)
		}
		svc, ok := r.service(sts.Spec.ServiceName)
		if !ok || svc.Spec.ClusterIP != corev1.ClusterIPNone {
			t.Errorf("StatefulSet %s: serviceName %q is not a headless Service", name, sts.Spec.ServiceName)
		}
		if len(sts.Spec.VolumeClaimTemplates) == 0 && name != "center" {
			t.Errorf("StatefulSet %s has no PVC for recordings", name)
		}
		if sts.Spec.Template.Spec.Affinity == nil || sts.Spec.Template.Spec.Affinity.PodAntiAffinity == nil {
			t.Errorf("StatefulSet %s: no pod anti-affinity", name)
		}
		r.checkPDB(t, name, sts.Spec.Template.Labels)
	}
	if len(r.statefulSets) != len(tiers)+boolInt(r.has("StatefulSet", "vigil-postgresql")) {
		t.Errorf("%d StatefulSets for %d tiers", len(r.statefulSets), len(tiers))
	}
}

func (r *rendered) checkPDB(t *testing.T, tier string, podLabels map[string]string) {
	t.Helper()
	for _, p := range r.pdbs {
		if p.Spec.Selector != nil && selects(p.Spec.Selector.MatchLabels, podLabels) {
			if p.Spec.MaxUnavailable == nil || p.Spec.MaxUnavailable.IntValue() != 1 {
				t.Errorf("PDB %s: maxUnavailable %v, want 1", p.Name, p.Spec.MaxUnavailable)
			}
			return
		}
	}
	t.Errorf("no PodDisruptionBudget covers %s", tier)
}

func (r *rendered) has(kind, name string) bool {
	switch kind {
	case "StatefulSet":
		_, ok := r.statefulSet(name)
		return ok
	case "Secret":
		return slices.ContainsFunc(r.secrets, func(s corev1.Secret) bool { return s.Name == name })
	case "ConfigMap":
		return slices.ContainsFunc(r.configMaps, func(c corev1.ConfigMap) bool { return c.Name == name })
	}
	return false
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkSelectors: every Service, PDB and workload selector selects pods
// some workload of the chart runs; the ServiceMonitor selects Services.
func (r *rendered) checkSelectors(t *testing.T) {
	t.Helper()
	pods := r.podTemplates()
	matches := func(sel map[string]string) bool {
		for _, p := range pods {
			if selects(sel, p.Labels) {
				return true
			}
		}
		return false
	}
	for _, s := range r.services {
		if !matches(s.Spec.Selector) {
			t.Errorf("Service %s selects no pod (%v)", s.Name, s.Spec.Selector)
		}
		for _, port := range s.Spec.Ports {
			if port.TargetPort.String() != "" && !r.podsHavePort(s.Spec.Selector, port.TargetPort.String()) {
				t.Errorf("Service %s: target port %s is on no selected container", s.Name, port.TargetPort.String())
			}
		}
	}
	for _, s := range r.statefulSets {
		if s.Spec.Selector == nil || !selects(s.Spec.Selector.MatchLabels, s.Spec.Template.Labels) {
			t.Errorf("StatefulSet %s does not select its own pods", s.Name)
		}
	}
	for _, sm := range r.serviceMonitor {
		spec, _ := sm["spec"].(map[string]any)
		sel, _ := spec["selector"].(map[string]any)["matchLabels"].(map[string]any)
		found := false
		for _, s := range r.services {
			labels := map[string]string{}
			for k, v := range sel {
				labels[k] = fmt.Sprint(v)
			}
			found = found || selects(labels, s.Labels)
		}
		if !found {
			t.Errorf("ServiceMonitor selects no Service")
		}
	}
}

// podsHavePort reports whether a pod selected by sel has a container port
// named (or numbered) port.
func (r *rendered) podsHavePort(sel map[string]string, port string) bool {
	for _, p := range r.podTemplates() {
		if !selects(sel, p.Labels) {
			continue
		}
		for _, c := range p.Spec.Containers {
			for _, cp := range c.Ports {
				if cp.Name == port || fmt.Sprint(cp.ContainerPort) == port {
					return true
				}
			}
		}
	}
	return false
}

// checkPods: probes hit vigil's /readyz and /healthz on a port the
// container has; every volume mount has its volume (or claim), every
// ConfigMap and Secret referenced exists (or is one the values name as
// provided by the operator); the node name is the pod name; the pod's
// termination grace is above vigil's drain grace.
func (r *rendered) checkPods(t *testing.T, v values) {
	t.Helper()
	external := map[string]bool{v.Secrets.ExistingSecret: true, v.CameraSecret: true,
		v.Metrics.ServiceMonitor.TokenSecret.Name: true}
	grace, err := time.ParseDuration(v.Lifecycle.Grace)
	if err != nil {
		t.Fatalf("lifecycle.grace: %v", err)
	}
	claims := map[string]map[string]bool{}
	for _, s := range r.statefulSets {
		claims["StatefulSet/"+s.Name] = map[string]bool{}
		for _, c := range s.Spec.VolumeClaimTemplates {
			claims["StatefulSet/"+s.Name][c.Name] = true
		}
	}
	for name, p := range r.podTemplates() {
		volumes := claims[name]
		if volumes == nil {
			volumes = map[string]bool{}
		}
		for _, vol := range p.Spec.Volumes {
			volumes[vol.Name] = true
			if cm := vol.ConfigMap; cm != nil && !r.has("ConfigMap", cm.Name) {
				t.Errorf("%s: volume %s names ConfigMap %s, not rendered", name, vol.Name, cm.Name)
			}
			if s := vol.Secret; s != nil && !r.has("Secret", s.SecretName) && !external[s.SecretName] {
				t.Errorf("%s: volume %s names Secret %s, not rendered", name, vol.Name, s.SecretName)
			}
		}
		for _, c := range p.Spec.Containers {
			r.checkContainer(t, name, c, volumes, external)
		}
		if strings.Contains(name, "postgresql") {
			continue
		}
		if g := p.Spec.TerminationGracePeriodSeconds; g == nil || time.Duration(*g)*time.Second <= grace {
			t.Errorf("%s: terminationGracePeriodSeconds %v not above the drain grace %v", name, g, grace)
		}
		if !nodeFromPodName(p.Spec.Containers[0]) {
			t.Errorf("%s: VIGIL_NODE does not come from metadata.name", name)
		}
	}
}

func (r *rendered) checkContainer(t *testing.T, pod string, c corev1.Container, volumes, external map[string]bool) {
	t.Helper()
	for _, m := range c.VolumeMounts {
		if !volumes[m.Name] {
			t.Errorf("%s/%s mounts %s: no such volume or claim", pod, c.Name, m.Name)
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			ref := e.ValueFrom.SecretKeyRef
			if !external[ref.Name] && !r.secretHasKey(ref.Name, ref.Key) {
				t.Errorf("%s/%s env %s: Secret %s has no key %s", pod, c.Name, e.Name, ref.Name, ref.Key)
			}
		}
	}
	for what, p := range map[string]*corev1.Probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
		if p == nil {
			t.Errorf("%s/%s has no %s probe", pod, c.Name, what)
			continue
		}
		if p.HTTPGet != nil {
			want := map[string]string{"readiness": "/readyz", "liveness": "/healthz"}[what]
			if p.HTTPGet.Path != want {
				t.Errorf("%s/%s %s probe on %s, want %s", pod, c.Name, what, p.HTTPGet.Path, want)
			}
			if !slices.ContainsFunc(c.Ports, func(cp corev1.ContainerPort) bool {
				return cp.Name == p.HTTPGet.Port.String() || fmt.Sprint(cp.ContainerPort) == p.HTTPGet.Port.String()
			}) {
				t.Errorf("%s/%s %s probe port %s is not a container port", pod, c.Name, what, p.HTTPGet.Port.String())
			}
		}
	}
}

func (r *rendered) secretHasKey(name, key string) bool {
	for _, s := range r.secrets {
		if s.Name == name {
			_, a := s.StringData[key]
			_, b := s.Data[key]
			return a || b
		}
	}
	return false
}

func nodeFromPodName(c corev1.Container) bool {
	for _, e := range c.Env {
		if e.Name == "VIGIL_NODE" {
			return e.ValueFrom != nil && e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.name"
		}
	}
	return false
}

// checkConfig parses the rendered vigil config with vigil's own parser,
// the camera password files standing where the camera Secret is mounted,
// and checks the cluster's nodes are the StatefulSets' pods.
func (r *rendered) checkConfig(t *testing.T, v values) {
	t.Helper()
	if len(r.configMaps) != 1 {
		t.Fatalf("%d ConfigMaps, want the one config", len(r.configMaps))
	}
	doc := r.configMaps[0].Data["vigil.yaml"]
	secrets := t.TempDir()
	for _, s := range v.Stations {
		for _, c := range s.Cameras {
			if f, ok := c["password_file"].(string); ok {
				os.WriteFile(filepath.Join(secrets, filepath.Base(f)), []byte("camera-password\n"), 0o600)
			}
		}
	}
	doc = strings.ReplaceAll(doc, "/etc/vigil/cameras/", secrets+"/")
	cfg, err := config.Parse([]byte(doc))
	if err != nil {
		t.Fatalf("rendered config refused by vigil: %v\n%s", err, doc)
	}
	var pods []string
	for _, s := range r.statefulSets {
		if s.Name == "vigil-postgresql" {
			continue
		}
		for i := range int(*s.Spec.Replicas) {
			pods = append(pods, fmt.Sprintf("%s-%d", s.Name, i))
		}
	}
	var nodes []string
	for _, n := range cfg.Cluster.Nodes {
		nodes = append(nodes, n.Name)
		if !strings.HasPrefix(n.Relay, n.Name+".") || !strings.HasSuffix(n.Relay, ":8554") {
			t.Errorf("node %s: relay %s is not <pod>.<service>…:8554", n.Name, n.Relay)
		}
	}
	slices.Sort(pods)
	slices.Sort(nodes)
	if !slices.Equal(pods, nodes) {
		t.Errorf("cluster nodes %v, pods %v", nodes, pods)
	}
	for _, st := range cfg.Stations {
		for _, n := range st.Nodes {
			if !strings.HasPrefix(n, st.ID+"-") {
				t.Errorf("station %s lists node %s", st.ID, n)
			}
		}
	}
}
